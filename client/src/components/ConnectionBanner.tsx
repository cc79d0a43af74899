import { connectionLost } from '../stores/connectionState';
import { useConnection } from '../stores/useConnection';

export const CONNECTION_LOST_TEXT = 'Connection lost — alarms are not being received';

/** Shown from a disconnect (or 5 s of silence) until the dashboard has re-subscribed. Text kept exact. */
export function ConnectionBanner() {
  const lost = useConnection(connectionLost);
  const error = useConnection((s) => s.error);
  if (!lost) return null;
  return (
    <div className="connection-banner" role="alert" data-testid="connection-banner" title={error ? `${error} · reconnecting` : 'reconnecting'}>
      {CONNECTION_LOST_TEXT}
    </div>
  );
}
