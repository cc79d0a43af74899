import type { LimitCrossing } from '@infusion/shared';
import type { Store, Tx } from '../persistence/store';

export type GuardrailOutcome = 'alerted' | 'overridden' | 'refused';

/**
 * Every limit a dosing action crossed, with what happened: alerted (soft limit shown, not confirmed),
 * overridden (confirmed with a reason) or refused (hard limit, or a confirmation the caller may not
 * give). The compliance report reads it; a refused dose itself is never stored.
 */
export class GuardrailLog {
  /** Told when a refusal's entry cannot be written (the app reports it to the recording health). */
  onRefusalError: (err: unknown) => void = () => {};

  constructor(private readonly store: Store) {}

  /**
   * A refused or unconfirmed action's entry, written before the answer. A failure to write it goes to
   * `onRefusalError` and never turns the refusal into another answer (nothing is given either way).
   */
  async recordRefusal(...args: Parameters<GuardrailLog['record']>): Promise<void> {
    try {
      await this.record(...args);
    } catch (err) {
      this.onRefusalError(err);
    }
  }

  /**
   * One multi-row insert (the action's crossings or none), inside the caller's transaction when given.
   * A refusal is logged against the hard limits that refused it only: a dose at a hard limit is above
   * the soft one under it too (a rescue dose at its formulary multiple is above the formulary dose), and
   * logging that soft crossing as refused counted one refused dose twice, once under a limit that
   * cannot refuse anything.
   */
  async record(
    s: { id: string; unit: string; simulated: boolean },
    e: { at: number; by: string; action: string; outcome: GuardrailOutcome; reason: string | null },
    crossings: LimitCrossing[],
    trx: Tx = this.store.db,
  ): Promise<void> {
    const hard = crossings.filter((c) => c.level === 'hard');
    const logged = e.outcome === 'refused' && hard.length ? hard : crossings;
    if (!logged.length) return;
    await trx
      .insertInto('guardrail_events')
      .values(
        logged.map((c) => ({
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
