import { useContext, useMemo, useState } from 'react';
import { PRIORITY_SIGNAL, type Escalation } from '@infusion/shared';
import { sessionHref } from '../app/route';
import { SocketContext } from '../app/socketContext';
import { useNow } from '../app/useNow';
import { useRoute } from '../app/useRoute';
import { useCan } from '../auth/useCan';
import { formatAge, formatClock } from '../format';
import { acknowledgeEscalation } from '../realtime/requests';
import { openEscalations } from '../stores/escalationState';
import { applyEscalation } from '../stores/monitorState';
import { updateMonitor, useMonitor } from '../stores/useMonitor';
import { chipStyle, signalClass, signalStyle } from './alarmSignal';
import { PriorityChip } from './PriorityChip';
import { RespondForm } from './RespondForm';
import { SimulatedBadge } from './SimulatedBadge';

const LEVEL_TEXT: Record<Escalation['level'], string> = {
  1: 'LEVEL 1 · physicians',
  2: 'LEVEL 2 · all clinicians of the unit',
};

function EscalationAck({ escalation }: { escalation: Escalation }) {
  // The header's socket: null for a moment while a login's link is being replaced.
  const socket = useContext(SocketContext);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const onClick = async () => {
    if (!socket) {
      setError('not connected to the server');
      return;
    }
    setPending(true);
    setError(null);
    const res = await acknowledgeEscalation(socket, escalation.id);
    setPending(false);
    if (res.ok) updateMonitor((s) => applyEscalation(s, res.data));
    else setError(res.error);
  };
  return (
    <>
      <button type="button" className="ack-button" data-testid={`escalation-ack-${escalation.id}`} disabled={pending} onClick={() => void onClick()}>
        {pending ? 'Acknowledging…' : 'Acknowledge'}
      </button>
      {error && (
        <span className="ack-error" role="alert" data-testid={`escalation-ack-error-${escalation.id}`}>
          {error}
        </span>
      )}
    </>
  );
}

/** One escalation: level, priority, where (chair and patient), the alarm text, its age; acknowledge and respond. */
export function EscalationRow({ escalation: e, now }: { escalation: Escalation; now: number }) {
  const s = useMonitor((st) => st.sessions[e.sessionId]);
  const canAck = useCan('escalation.acknowledge');
  const canRespond = useCan('response.record');
  const [responding, setResponding] = useState(false);
  const open = e.state === 'open';
  const loud = open && e.level >= 2;
  return (
    <li
      className={`escalation escalation-level-${e.level} ${loud ? signalClass(e.priority) : ''}`}
      style={loud ? signalStyle(e.priority) : { borderColor: PRIORITY_SIGNAL[e.priority].colour }}
      data-testid={`escalation-${e.id}`}
      data-level={e.level}
      data-state={e.state}
      data-priority={e.priority}
    >
      <span className="escalation-level" style={loud ? undefined : chipStyle(e.priority)}>
        {LEVEL_TEXT[e.level]}
      </span>
      <PriorityChip priority={e.priority} />
      <a className="escalation-where" href={sessionHref(e.sessionId)}>
        {e.location}
        {s ? ` · ${s.patientLabel}` : ''}
      </a>
      <span className="escalation-unit" data-testid={`escalation-unit-${e.id}`}>
        Unit {e.unit}
      </span>
      {(e.simulated || s?.simulated) && <SimulatedBadge />}
      <span className="escalation-message">{e.message}</span>
      <span className="escalation-age" title={`opened ${formatClock(e.openedAt)}`}>
        {formatAge(now - e.openedAt)}
      </span>
      {!open && <span className="escalation-done">{e.state === 'acknowledged' ? `acknowledged ${formatClock(e.acknowledgedAt)}` : 'closed'}</span>}
      {open && (canAck ? <EscalationAck escalation={e} /> : <span className="hint">the physician acknowledges; acknowledge the alarm at the bedside</span>)}
      {canRespond && e.state !== 'closed' && s?.status === 'active' && (
        <button type="button" className="respond-button" data-testid={`escalation-respond-${e.id}`} aria-expanded={responding} onClick={() => setResponding(!responding)}>
          {responding ? 'Cancel' : 'Respond'}
        </button>
      )}
      {responding && <RespondForm sessionId={e.sessionId} escalationId={e.id} testId={`escalation-response-${e.id}`} onDone={() => setResponding(false)} />}
    </li>
  );
}

/**
 * Open escalations this user is paged for (level 1: physicians; level 2: every clinician of the
 * unit), loudest first. Level 2 flashes like a high alarm. Shown while any is open.
 */
export function EscalationPanel() {
  const all = useMonitor((s) => s.escalations);
  const list = useMemo(() => openEscalations(all), [all]);
  const now = useNow(list.length > 0, 5000);
  // The inbox page lists them itself (with the acknowledged ones and the supervised sessions).
  const onInbox = useRoute().view === 'inbox';
  if (list.length === 0 || onInbox) return null;
  return (
    <section className="escalations" data-testid="escalations" data-count={list.length} aria-label="Escalations">
      <div className="escalations-title">
        Escalations <span className="escalations-count">{list.length}</span>
      </div>
      <ul>
        {list.map((e) => (
          <EscalationRow key={e.id} escalation={e} now={now} />
        ))}
      </ul>
    </section>
  );
}
