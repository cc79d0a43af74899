import { memo, useState } from 'react';
import { PRIORITY_RANK, type Alarm, type Formulary, type RescueDose } from '@infusion/shared';
import { useSocket } from '../app/socketContext';
import { mayAcknowledge } from '../auth/permissions';
import { AlarmAudioPause } from './AudioPause';
import { useAuth } from '../auth/useAuth';
import { useCan } from '../auth/useCan';
import { RescueForm } from '../care/RescueForm';
import { NO_DOSE_TEXT, doseText, rescueOptions } from '../care/rescueOptions';
import { formatClock } from '../format';
import { acknowledgeAlarm } from '../realtime/requests';
import { applyAckResult } from '../stores/monitorState';
import { isLatched } from '../stores/selectors';
import { updateMonitor } from '../stores/useMonitor';
import { useStorage } from '../stores/useStorage';
import { KindMarker } from './KindMarker';
import { PriorityChip } from './PriorityChip';
import { shownPerson, shownText } from '../clinicianWords';

function stateText(a: Alarm): string {
  if (isLatched(a)) return 'active (latched)';
  if (a.state === 'acknowledged') return a.conditionActive ? 'acknowledged (condition present)' : 'acknowledged';
  return a.state;
}

function AckButton({ alarm }: { alarm: Alarm }) {
  const socket = useSocket();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const onClick = async () => {
    setPending(true);
    setError(null);
    const res = await acknowledgeAlarm(socket, alarm.id);
    setPending(false);
    if (res.ok) updateMonitor((s) => applyAckResult(s, res.data));
    else setError(res.error);
  };

  return (
    <>
      <button type="button" className="ack-button" data-testid={`ack-${alarm.id}`} disabled={pending} onClick={() => void onClick()}>
        {pending ? 'Acknowledging…' : 'Acknowledge'}
      </button>
      {error && (
        <div className="ack-error" role="alert" data-testid={`ack-error-${alarm.id}`}>
          Acknowledge failed: {error}
        </div>
      )}
    </>
  );
}

/** The alarm's rescue drug classes (guideline Q7), each with the site formulary's drugs and dose text. */
function RescueClasses({ alarm, formulary }: { alarm: Alarm; formulary: Formulary | null }) {
  const { byClass } = rescueOptions(formulary, alarm.rescue ?? []);
  return (
    <div className="alarm-rescue" data-testid={`alarm-rescue-${alarm.id}`}>
      <div className="detail-label">Rescue drug classes</div>
      {byClass.length === 0 ? (
        <div className="hint">None for this alarm.</div>
      ) : (
        <ul>
          {byClass.map((c) => (
            <li key={c.cls}>
              <span className="rescue-class">{c.label}</span>
              {c.guidance && <span className="hint rescue-guidance"> — {c.guidance}</span>}
              {c.entries.length === 0 ? (
                <span className="hint"> — no drug of this class in the site formulary</span>
              ) : (
                <ul>
                  {c.entries.map((e) => (
                    <li key={e.id} data-testid={`alarm-rescue-${alarm.id}-${e.id}`}>
                      {shownText(e.drug)} — <span className={e.dose ? 'rescue-dose' : 'rescue-no-dose'}>{doseText(e)}</span>
                      {e.dose && <span className="hint"> — {e.doseSource ?? 'source not given'}</span>}
                      {e.cautions.length > 0 && <span className="caution-text"> · Caution: {e.cautions.join('; ')}</span>}
                    </li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ul>
      )}
      {!formulary && byClass.length > 0 && <div className="hint">Site formulary not loaded: {NO_DOSE_TEXT} shown.</div>}
    </div>
  );
}

interface DetailProps {
  alarm: Alarm;
  formulary: Formulary | null;
  rescueDoses: readonly RescueDose[];
  canDocument: boolean;
}

/** First actions, rescue classes with the formulary, the citation, doses given for it, and the rescue form. */
function AlarmDetails({ alarm, formulary, rescueDoses, canDocument }: DetailProps) {
  const given = rescueDoses.filter((d) => d.alarmId === alarm.id);
  const actions = alarm.actions ?? [];
  return (
    <div className="alarm-details">
      <div className="alarm-actions" data-testid={`alarm-actions-${alarm.id}`}>
        <div className="detail-label">First actions</div>
        {actions.length === 0 ? (
          <div className="hint">None listed for this alarm.</div>
        ) : (
          <ol>
            {actions.map((a) => (
              <li key={a}>{a}</li>
            ))}
          </ol>
        )}
      </div>
      <RescueClasses alarm={alarm} formulary={formulary} />
      <div className="alarm-source">Source: {shownText(alarm.source)}</div>
      {given.length > 0 && (
        <ul className="alarm-given">
          {given.map((d) => (
            <li key={d.id}>
              Given: {shownText(d.drug)} {d.doseMg} mg {d.route} at {formatClock(d.t)} by {shownPerson(d.by)}
            </li>
          ))}
        </ul>
      )}
      {canDocument && alarm.kind !== 'technical' && <RescueForm sessionId={alarm.sessionId} formulary={formulary} classes={alarm.rescue ?? []} alarmId={alarm.id} idSuffix={String(alarm.id)} />}
    </div>
  );
}

const NO_DOSES: readonly RescueDose[] = [];

interface ListProps {
  alarms: Alarm[];
}

const STATE_ORDER: Record<Alarm['state'], number> = { active: 0, acknowledged: 1, resolved: 2 };

/** What needs a hand first: active alarms (highest priority, newest first), then acknowledged, then resolved. */
export function alarmsInOrder(alarms: readonly Alarm[]): Alarm[] {
  return [...alarms].sort((a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state] || PRIORITY_RANK[b.priority] - PRIORITY_RANK[a.priority] || b.startedAt - a.startedAt || b.id - a.id);
}

/**
 * Every alarm of the session, resolved included: active ones first, each with its Acknowledge button
 * for roles that may. Compact rows, so the list fits the pinned strip at the top of the session page;
 * what to do about each alarm is in AlarmGuidance. Only alarm rows carry data-state.
 */
export const AlarmList = memo(function AlarmList({ alarms }: ListProps) {
  const canAck = useAuth((s) => mayAcknowledge(s.user?.role));
  const unrecorded = useStorage((s) => s.unrecorded);
  if (alarms.length === 0) return <p className="empty">No alarms in this session.</p>;
  return (
    <table className="alarm-list">
      <thead>
        <tr>
          <th className="col-priority">Priority</th>
          <th>Alarm</th>
          <th className="col-ack" />
          <th className="col-state">State</th>
          <th className="col-time">Started</th>
          <th className="col-by">Acknowledged</th>
        </tr>
      </thead>
      <tbody>
        {alarmsInOrder(alarms).map((a) => (
          <tr key={a.id} className={`alarm-row alarm-row-${a.state} alarm-kind-${a.kind}`} data-testid={`alarm-${a.id}`} data-state={a.state} data-priority={a.priority} data-kind={a.kind}>
            <td className="col-priority">
              <PriorityChip priority={a.priority} />
              <KindMarker kind={a.kind} />
            </td>
            <td>
              <div className="alarm-message">{shownText(a.message)}</div>
              <div className="alarm-title">{a.title}</div>
            </td>
            <td className="col-ack">
              {canAck && a.state === 'active' && <AckButton alarm={a} />}
              <AlarmAudioPause alarm={a} />
            </td>
            <td className="alarm-state col-state">
              {stateText(a)}
              {a.state === 'acknowledged' && <span className="ack-marker">ACK</span>}
              {isLatched(a) && <span className="latched-marker">LATCHED</span>}
              {unrecorded[a.id] && (
                <span className="unrecorded-marker" data-testid={`unrecorded-${a.id}`} title="Storage is failing: this alarm is written once recording is back">
                  NOT YET RECORDED
                </span>
              )}
            </td>
            <td className="col-time">{formatClock(a.startedAt)}</td>
            <td className="col-by">{a.acknowledgedBy ? `${shownPerson(a.acknowledgedBy)} at ${formatClock(a.acknowledgedAt)}` : '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
});

interface GuidanceProps {
  alarms: Alarm[];
  formulary?: Formulary | null;
  rescueDoses?: readonly RescueDose[];
  /** Whether rescue doses can still be documented (the session is active). */
  sessionActive?: boolean;
}

/**
 * For each alarm: its first actions, rescue classes with the site formulary, the citation, doses given
 * for it and the rescue form. Active and acknowledged alarms open, resolved ones behind "Details".
 */
export function AlarmGuidance({ alarms, formulary = null, rescueDoses = NO_DOSES, sessionActive = false }: GuidanceProps) {
  const canRescue = useCan('rescue.document');
  if (alarms.length === 0) return null;
  return (
    <div className="alarm-guidance">
      {alarmsInOrder(alarms).map((a) => {
        const details = <AlarmDetails alarm={a} formulary={formulary} rescueDoses={rescueDoses} canDocument={canRescue && sessionActive} />;
        const head = (
          <>
            <PriorityChip priority={a.priority} /> <span className="alarm-message">{shownText(a.message)}</span> <span className="hint">{formatClock(a.startedAt)}</span>
          </>
        );
        return (
          <div key={a.id} className={`alarm-guide alarm-row-${a.state}`}>
            {a.state === 'resolved' ? (
              <details>
                <summary>{head}</summary>
                {details}
              </details>
            ) : (
              <>
                <div className="alarm-guide-head">{head}</div>
                {details}
              </>
            )}
          </div>
        );
      })}
    </div>
  );
}
