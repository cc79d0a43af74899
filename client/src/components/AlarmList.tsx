import { useState } from 'react';
import type { Alarm } from '@infusion/shared';
import { useSocket } from '../app/socketContext';
import { mayAcknowledge } from '../auth/permissions';
import { useAuth } from '../auth/useAuth';
import { formatClock } from '../format';
import { acknowledgeAlarm } from '../realtime/requests';
import { applyAckResult } from '../stores/monitorState';
import { isLatched } from '../stores/selectors';
import { updateMonitor } from '../stores/useMonitor';
import { PriorityChip } from './PriorityChip';

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

/** Every alarm of the session, resolved included, newest first; active ones can be acknowledged by roles that may. */
export function AlarmList({ alarms }: { alarms: Alarm[] }) {
  const canAck = useAuth((s) => mayAcknowledge(s.user?.role));
  if (alarms.length === 0) return <p className="empty">No alarms in this session.</p>;
  return (
    <table className="alarm-list">
      <thead>
        <tr>
          <th>Priority</th>
          <th>Alarm</th>
          <th>State</th>
          <th>Started</th>
          <th>Acknowledged</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {alarms.map((a) => (
          <tr key={a.id} className={`alarm-row alarm-row-${a.state}`} data-testid={`alarm-${a.id}`} data-state={a.state} data-priority={a.priority}>
            <td>
              <PriorityChip priority={a.priority} />
              {a.kind === 'technical' && <span className="technical-marker">TECHNICAL</span>}
            </td>
            <td>
              <div className="alarm-message">{a.message}</div>
              <div className="alarm-title">{a.title}</div>
            </td>
            <td className="alarm-state">
              {stateText(a)}
              {a.state === 'acknowledged' && <span className="ack-marker">ACK</span>}
              {isLatched(a) && <span className="latched-marker">LATCHED</span>}
            </td>
            <td>{formatClock(a.startedAt)}</td>
            <td>{a.acknowledgedBy ? `${a.acknowledgedBy} at ${formatClock(a.acknowledgedAt)}` : '—'}</td>
            <td>{canAck && a.state === 'active' && <AckButton alarm={a} />}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
