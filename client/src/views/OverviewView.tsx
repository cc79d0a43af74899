import { useMemo } from 'react';
import { ADMIT_HREF } from '../app/route';
import { useCan } from '../auth/useCan';
import { SessionTile } from '../components/SessionTile';
import { overviewSessions } from '../stores/selectors';
import { useMonitor } from '../stores/useMonitor';

/** One tile per active infusion. */
export function OverviewView() {
  const sessionMap = useMonitor((s) => s.sessions);
  const sessions = useMemo(() => overviewSessions(sessionMap), [sessionMap]);
  const canAdmit = useCan('session.create');
  return (
    <div className="overview" data-testid="overview">
      {canAdmit && (
        <a className="admit-link" href={ADMIT_HREF} data-testid="admit-link">
          + New session
        </a>
      )}
      {sessions.length === 0 ? (
        <p className="empty">No active infusions.</p>
      ) : (
        <div className="tiles">
          {sessions.map((s) => (
            <SessionTile key={s.id} session={s} />
          ))}
        </div>
      )}
    </div>
  );
}
