import { useMemo, useState } from 'react';
import type { Session } from '@infusion/shared';
import { sessionHref } from '../app/route';
import { useNow } from '../app/useNow';
import { useAuth } from '../auth/useAuth';
import { EscalationRow } from '../components/EscalationPanel';
import { PriorityChip } from '../components/PriorityChip';
import { RespondForm } from '../components/RespondForm';
import { ResponseNote } from '../components/ResponseNote';
import { SimulatedBadge } from '../components/SimulatedBadge';
import { INFUSION_STATUS_LABEL } from '../format';
import { acknowledgedEscalations, openEscalations } from '../stores/escalationState';
import { overviewSessions, shownAlarms } from '../stores/selectors';
import { useMonitor } from '../stores/useMonitor';

function SupervisedSession({ session, mine }: { session: Session; mine: boolean }) {
  const allAlarms = useMonitor((s) => s.alarms);
  const top = useMemo(() => shownAlarms(allAlarms, session.id)[0], [allAlarms, session.id]);
  const [responding, setResponding] = useState(false);
  return (
    <li className="supervised" data-testid={`supervised-${session.id}`}>
      <a className="supervised-where" href={sessionHref(session.id)}>
        {session.location} · {session.patientLabel}
      </a>
      <span className="supervised-unit" data-testid={`supervised-unit-${session.id}`}>
        Unit {session.unit}
      </span>
      {session.simulated && <SimulatedBadge />}
      <span className="supervised-physician">{mine ? 'you supervise' : session.supervisingPhysician}</span>
      <span className="supervised-infusion">{INFUSION_STATUS_LABEL[session.infusion.status]}</span>
      <span className="supervised-alarm">
        {top ? (
          <>
            <PriorityChip priority={top.priority} /> {top.message}
          </>
        ) : (
          'No alarms'
        )}
      </span>
      <button type="button" className="respond-button" data-testid={`supervised-respond-${session.id}`} aria-expanded={responding} onClick={() => setResponding(!responding)}>
        {responding ? 'Cancel' : 'Respond'}
      </button>
      <ResponseNote sessionId={session.id} />
      {responding && <RespondForm sessionId={session.id} testId={`supervised-response-${session.id}`} onDone={() => setResponding(false)} />}
    </li>
  );
}

/**
 * The physician's inbox: open escalations first (loudest, then longest waiting), those acknowledged
 * in the last 12 hours (also after a reload), then every active session under the physician's supervision (the units they cover),
 * the ones naming them first. Each can be answered with a response shown at the bedside.
 */
export function InboxView() {
  const all = useMonitor((s) => s.escalations);
  const sessionMap = useMonitor((s) => s.sessions);
  const me = useAuth((s) => s.user?.displayName ?? '');
  const open = useMemo(() => openEscalations(all), [all]);
  const answered = useMemo(() => acknowledgedEscalations(all), [all]);
  const sessions = useMemo(() => {
    const list = overviewSessions(sessionMap);
    const mine = (s: Session) => (s.supervisingPhysician === me ? 0 : 1);
    return [...list].sort((a, b) => mine(a) - mine(b));
  }, [sessionMap, me]);
  const now = useNow(open.length + answered.length > 0, 5000);

  return (
    <div className="inbox-page" data-testid="inbox">
      <section>
        <h2>
          Open escalations <span className="escalations-count">{open.length}</span>
        </h2>
        {open.length === 0 ? (
          <p className="empty">No open escalations.</p>
        ) : (
          <ul className="escalation-list">
            {open.map((e) => (
              <EscalationRow key={e.id} escalation={e} now={now} />
            ))}
          </ul>
        )}
      </section>
      {answered.length > 0 && (
        <section>
          <h3>Acknowledged</h3>
          <ul className="escalation-list" data-testid="inbox-acknowledged">
            {answered.map((e) => (
              <EscalationRow key={e.id} escalation={e} now={now} />
            ))}
          </ul>
        </section>
      )}
      <section>
        <h3>Sessions under your supervision ({sessions.length})</h3>
        {sessions.length === 0 ? (
          <p className="empty">No active infusions.</p>
        ) : (
          <ul className="supervised-list">
            {sessions.map((s) => (
              <SupervisedSession key={s.id} session={s} mine={s.supervisingPhysician === me} />
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
