import type { LimitCrossing } from '@infusion/shared';
import type { Store, Tx } from '../persistence/store';

export type GuardrailOutcome = 'alerted' | 'overridden' | 'refused';

/**
 * Every limit a dosing action crossed, with what happened: alerted (soft limit shown, not confirmed),
 * overridden (confirmed with a reason) or refused (hard limit, or a confirmation the caller may not
 * give). The compliance report reads it; a refused dose itself is never stored.
 */
export class GuardrailLog {
  /** Writes started by synchronous callers (the dose gate) and not finished yet. */
  private readonly pending = new Set<Promise<void>>();
  /** Told when such a write fails (the app reports it to the recording health). */
  onDetachedError: (err: unknown) => void = () => {};

  constructor(private readonly store: Store) {}

  /**
   * For the synchronous dose gate: the write starts now; `settled()` waits for it. A failure goes to
   * `onDetachedError` (the refusal itself still stands: a refused dose is never given).
   */
  recordDetached(...args: Parameters<GuardrailLog['record']>): void {
    const p = this.record(...args).catch((err: unknown) => this.onDetachedError(err));
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  /** Resolves once every write started by `recordDetached` so far has finished (a route answers after it). */
  async settled(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  /** One multi-row insert (all crossings of the action or none), inside the caller's transaction when given. */
  async record(
    s: { id: string; unit: string; simulated: boolean },
    e: { at: number; by: string; action: string; outcome: GuardrailOutcome; reason: string | null },
    crossings: LimitCrossing[],
    trx: Tx = this.store.db,
  ): Promise<void> {
    if (!crossings.length) return;
    await trx
      .insertInto('guardrail_events')
      .values(
        crossings.map((c) => ({
          session_id: s.id,
          unit: s.unit,
          simulated: s.simulated ? 1 : 0,
          at: e.at,
          by: e.by,
          action: e.action,
          outcome: e.outcome,
          limit_id: c.id,
          label: c.label,
          level: c.level,
          value: c.value,
          lim: c.limit,
          unit_of_measure: c.unit,
          reason: e.reason,
        })),
      )
      .execute();
  }
}
