import { useEffect, useState } from 'react';
import { useMonitor } from '../stores/useMonitor';

/**
 * Server time (this page's clock corrected by the offset of the last snapshot), refreshed every
 * `periodMs` while needed: countdowns and ages tick only while something is shown that needs it.
 * `when` is either whether to tick, or a server time (a pause's end) up to which to tick.
 *
 * A new `when` (a pause started or restarted) takes a fresh reading in the same render: a reading
 * from before it (up to a period old while ticking, or from when the page mounted) would count
 * the new pause from too early and show it longer than it is ("2:01" for a 2-minute pause).
 */
export function useNow(when: boolean | number | null, periodMs = 1000): number {
  const offset = useMonitor((s) => s.clockOffsetMs);
  const [reading, setReading] = useState(() => ({ now: Date.now(), when }));
  let now = reading.now;
  if (reading.when !== when) {
    // Adjusting state while rendering: React renders again at once, before anything is shown.
    now = Date.now();
    setReading({ now, when });
  }
  const active = typeof when === 'boolean' ? when : when !== null && now + offset < when;
  useEffect(() => {
    if (!active) return;
    const tick = () => setReading((r) => ({ ...r, now: Date.now() }));
    tick();
    const timer = setInterval(tick, periodMs);
    return () => clearInterval(timer);
  }, [active, periodMs]);
  return now + offset;
}
