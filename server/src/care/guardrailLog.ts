import type { LimitCrossing } from '@infusion/shared';
import type { Db } from '../persistence/db';

export type GuardrailOutcome = 'alerted' | 'overridden' | 'refused';

/**
 * Every limit a dosing action crossed, with what happened: alerted (soft limit shown, not confirmed),
 * overridden (confirmed with a reason) or refused (hard limit, or a confirmation the caller may not
 * give). The compliance report reads it; a refused dose itself is never stored.
 */
export class GuardrailLog {
  private readonly sInsert;

  constructor(private readonly db: Db) {
    this.sInsert = db.prepare(`INSERT INTO guardrail_events (session_id, unit, simulated, at, by, action, outcome, limit_id, label, level, value, lim, unit_of_measure, reason)
      VALUES (@sessionId, @unit, @simulated, @at, @by, @action, @outcome, @limitId, @label, @level, @value, @lim, @uom, @reason)`);
  }

  record(
    s: { id: string; unit: string; simulated: boolean },
    e: { at: number; by: string; action: string; outcome: GuardrailOutcome; reason: string | null },
    crossings: LimitCrossing[],
  ): void {
    this.db.transaction(() => {
      for (const c of crossings)
        this.sInsert.run({
          sessionId: s.id,
          unit: s.unit,
          simulated: s.simulated ? 1 : 0,
          at: e.at,
          by: e.by,
          action: e.action,
          outcome: e.outcome,
          limitId: c.id,
          label: c.label,
          level: c.level,
          value: c.value,
          lim: c.limit,
          uom: c.unit,
          reason: e.reason,
        });
    })();
  }
}
