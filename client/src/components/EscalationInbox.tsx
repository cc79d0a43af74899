import { useEffect, useMemo, useRef, useState } from 'react';
import { PRIORITY_RANK, type AlarmPriority } from '@infusion/shared';
import { useCan } from '../auth/useCan';
import { openEscalations } from '../stores/escalationState';
import { useMonitor } from '../stores/useMonitor';
import { signalClass, signalStyle } from './alarmSignal';
import { EscalationPanel } from './EscalationPanel';

/**
 * Header button with a count badge that opens the escalation panel below the header, over the page,
 * so open escalations never push the tiles off the screen. The button takes the signal of the loudest
 * open escalation; a new escalation opens the panel by itself, so a page is never missed.
 */
export function EscalationInbox() {
  // Physicians (and trainers) have the inbox for escalations: one place, its badge button in the header.
  const hasInbox = useCan('response.record');
  const all = useMonitor((s) => s.escalations);
  const list = useMemo(() => openEscalations(all), [all]);
  const [open, setOpen] = useState(false);
  const seen = useRef(new Set<number>());
  useEffect(() => {
    const fresh = list.some((e) => !seen.current.has(e.id));
    for (const e of list) seen.current.add(e.id);
    if (fresh) setOpen(true);
  }, [list]);
  if (hasInbox || list.length === 0) return null;
  const loudest = list.reduce<AlarmPriority>((p, e) => (PRIORITY_RANK[e.priority] > PRIORITY_RANK[p] ? e.priority : p), 'low');
  return (
    <>
      <button
        type="button"
        className={`escalation-button ${signalClass(loudest)}`}
        style={signalStyle(loudest)}
        data-testid="escalations-open"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
      >
        Escalations <span className="escalation-badge">{list.length}</span>
      </button>
      {open && (
        <div className="escalation-popover">
          <button type="button" className="escalation-popover-close" onClick={() => setOpen(false)}>
            Close
          </button>
          <EscalationPanel />
        </div>
      )}
    </>
  );
}
