import type { PhysicianResponse } from '@infusion/shared';
import { useNow } from '../app/useNow';
import { formatAge, formatClock } from '../format';
import { latestResponse } from '../stores/monitorState';
import { useMonitor } from '../stores/useMonitor';

/** "Dr Lee: reduce to 0.3 mg/kg/h, 2 min ago": advice documented by the physician, never a change made. */
export function ResponseText({ r, now }: { r: PhysicianResponse; now: number }) {
  return (
    <>
      <span className="response-by">{r.byName}:</span> <span className="response-text">{r.text}</span>
      <span className="response-age" title={`at ${formatClock(r.at)}`}>{`, ${formatAge(now - r.at)}`}</span>
    </>
  );
}

/** The session's latest physician response, for the tile and the session page (nothing when there is none). */
export function ResponseNote({ sessionId }: { sessionId: string }) {
  const r = useMonitor((s) => latestResponse(s, sessionId));
  const now = useNow(r !== undefined, 10_000);
  if (!r) return null;
  return (
    <div className="response-note" data-testid={`response-${sessionId}`} role="note" aria-label="Physician response" title={`${r.byName}: ${r.text}`}>
      <span className="response-kind">Physician</span>
      <ResponseText r={r} now={now} />
    </div>
  );
}
