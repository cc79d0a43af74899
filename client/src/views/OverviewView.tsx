import { useMemo } from 'react';
import { SessionTile } from '../components/SessionTile';
import { overviewSessions } from '../stores/selectors';
import { useMonitor } from '../stores/useMonitor';

/** One tile per active infusion. */
export function OverviewView() {
  const sessionMap = useMonitor((s) => s.sessions);
  const sessions = useMemo(() => overviewSessions(sessionMap), [sessionMap]);
  return (
    <div className="overview" data-testid="overview">
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
