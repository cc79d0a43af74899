import type { DoseOverride, InfusionEvent } from '@infusion/shared';
import { INFUSION_EVENT_LABEL, formatClock, formatRate } from '../format';
import { shownPerson, shownText } from '../clinicianWords';

function amount(e: InfusionEvent): string {
  if (e.rateMgKgH !== null) return formatRate(e.rateMgKgH);
  if (e.doseMg !== null) return `${e.doseMg} mg`;
  return '—';
}

/** A dose given past soft limits: who confirmed, why, and which limits at what value. */
export function OverrideNote({ override, testId }: { override: DoseOverride; testId: string }) {
  return (
    <div className="override-note" data-testid={testId}>
      <span className="override-marker">OVERRIDE</span> by {shownPerson(override.by)}: {override.reason}
      <ul>
        {override.limits.map((l) => (
          <li key={`${l.id}|${l.limit}`}>
            {l.value} {l.unit} (limit {l.limit} {l.unit}) <span className="hint">{shownText(l.source)}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Infusion events of the session, newest first. */
export function InfusionEvents({ events }: { events: readonly InfusionEvent[] }) {
  if (events.length === 0) return <p className="empty">No infusion events yet.</p>;
  return (
    <table className="infusion-events" data-testid="infusion-events">
      <thead>
        <tr>
          <th>Time</th>
          <th>Event</th>
          <th>Rate / dose</th>
          <th>By</th>
          <th>Note</th>
        </tr>
      </thead>
      <tbody>
        {[...events].reverse().map((e) => (
          <tr key={e.id} data-testid={`infusion-event-${e.id}`}>
            <td>{formatClock(e.t)}</td>
            <td>{INFUSION_EVENT_LABEL[e.type]}</td>
            <td>{amount(e)}</td>
            <td>{shownPerson(e.by)}</td>
            <td>
              {e.note ?? ''}
              {e.override && <OverrideNote override={e.override} testId={`infusion-event-override-${e.id}`} />}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
