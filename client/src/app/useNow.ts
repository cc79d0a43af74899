import { useEffect, useState } from 'react';
import { useMonitor } from '../stores/useMonitor';

/**
 * Server time (this page's clock corrected by the offset of the last snapshot), refreshed every
 * `periodMs` while `active`: countdowns and ages tick only while something is shown that needs it.
 */
export function useNow(active: boolean, periodMs = 1000): number {
  const offset = useMonitor((s) => s.clockOffsetMs);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), periodMs);
    return () => clearInterval(timer);
  }, [active, periodMs]);
  return now + offset;
}
