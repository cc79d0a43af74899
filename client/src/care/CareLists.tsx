import type { Observation, RescueDose } from '@infusion/shared';
import { OverrideNote } from '../components/InfusionEvents';
import { formatClock } from '../format';
import { scoreText } from './observations';
import { shownPerson, shownText } from '../clinicianWords';

/** Rescue doses documented in this session, newest first. */
export function RescueDoseList({ doses }: { doses: readonly RescueDose[] }) {
  if (doses.length === 0) return <p className="empty">No rescue doses documented.</p>;
  return (
    <table className="rescue-doses" data-testid="rescue-doses">
      <thead>
        <tr>
          <th>Time</th>
          <th>Drug</th>
          <th>Dose</th>
          <th>For alarm</th>
          <th>By</th>
          <th>Note</th>
        </tr>
      </thead>
      <tbody>
        {[...doses].reverse().map((d) => (
          <tr key={d.id} data-testid={`rescue-dose-row-${d.id}`}>
            <td>{formatClock(d.t)}</td>
            <td>{shownText(d.drug)}</td>
            <td>
              {d.doseMg} mg {d.route}
              {d.doseNote && (
                <div className="hint dose-note" data-testid={`rescue-dose-note-${d.id}`}>
                  {d.doseNote}
                </div>
              )}
            </td>
            <td>{d.alarmId ?? '—'}</td>
            <td>{shownPerson(d.by)}</td>
            <td>
              {d.note ?? ''}
              {d.override && <OverrideNote override={d.override} testId={`rescue-dose-override-${d.id}`} />}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Sedation and pain scores of the session, newest first. */
export function ObservationList({ observations }: { observations: readonly Observation[] }) {
  if (observations.length === 0) return <p className="empty">No scores recorded.</p>;
  return (
    <table className="observations" data-testid="observations">
      <thead>
        <tr>
          <th>Time</th>
          <th>Score</th>
          <th>By</th>
          <th>Note</th>
        </tr>
      </thead>
      <tbody>
        {[...observations].reverse().map((o) => (
          <tr key={o.id} data-testid={`observation-${o.id}`}>
            <td>{formatClock(o.t)}</td>
            <td>{scoreText(o)}</td>
            <td>{shownPerson(o.by)}</td>
            <td>{o.note ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
