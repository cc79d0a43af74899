import { useEffect, useState } from 'react';
import { useMonitor } from '../stores/useMonitor';

/**
 * Server time (this page's clock corrected by the offset of the last snapshot), refreshed every
 * `periodMs` while needed: countdowns and ages tick only while something is shown that needs it.
 * `when` is either whether to tick, or a server time (a pause's end) up to which to tick.
 */
export function useNow(when: boolean | number | null, periodMs = 1000): number {
  const offset = useMonitor((s) => s.clockOffsetMs);
  const [now, setNow] = useState(() => Date.now());
  const active = typeof when === 'boolean' ? when : when !== null && now + offset < when;
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), periodMs);
    return () => clearInterval(timer);
  }, [active, periodMs]);
  return now + offset;
}
