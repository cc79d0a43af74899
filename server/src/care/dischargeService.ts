import {
  assessDischarge,
  can,
  dischargeInputSchema,
  dischargeSettingsOf,
  fieldErrors,
  missingScoreItems,
  SEDATION_SCALES,
  VITAL_FIELDS,
  type DischargeAssessment,
  type DischargeFacts,
  type DischargeInput,
  type DischargeRecord,
  type Session,
  type VitalField,
} from '@infusion/shared';
import { forbidden } from '../auth/httpAuth';
import { insertAudit } from '../persistence/auditRepo';
import type { Store } from '../persistence/store';
import type { VitalsRepo } from '../persistence/vitalsRepo';
import type { Actor, SessionService } from '../sessions/sessionService';
import type { Clock } from '../util/clock';
import { badRequest, DomainError } from '../util/errors';
import type { CareService } from './careService';

/** Latest vitals for discharge: read from the last 15 min since the stop (NIBP cycles every few minutes). */
const LATEST_WINDOW_MS = 15 * 60_000;

const isSedation = (scale: string): scale is (typeof SEDATION_SCALES)[number] => (SEDATION_SCALES as readonly string[]).includes(scale);

/**
 * Discharge from recovery: the server assesses the site's criteria from what was measured (baseline,
 * latest vitals, time since the stop, baseline sedation) and the nurse's bedside answers; discharge
 * goes ahead when they are met, or on a physician's recorded reason when they are not.
 */
export class DischargeService {
  constructor(
    private readonly store: Store,
    private readonly sessions: SessionService,
    private readonly care: CareService,
    private readonly vitals: VitalsRepo,
    private readonly clock: Clock,
  ) {}

  private parse(input: unknown): DischargeInput {
    const p = dischargeInputSchema.safeParse(input);
    if (!p.success) throw badRequest('invalid discharge', fieldErrors(p.error));
    return p.data;
  }

  /** What the server measured and knows about the session now. */
  private async facts(sessionId: string): Promise<DischargeFacts> {
    const stored = this.sessions.requireActiveSession(sessionId);
    const live = this.sessions.getLive(sessionId);
    const now = this.clock.now();
    const [events, obs, checklist] = await Promise.all([this.sessions.events(sessionId), this.care.observations(sessionId), this.care.checklist(sessionId)]);
    const firstStart = events.find((e) => e.type === 'start')?.t ?? null;
    const stoppedAt = stored.phase === 'recovery' ? stored.phaseSince : null;
    // The last sedation score before the infusion started is the patient's baseline.
    const before = obs.filter((o) => isSedation(o.scale) && (firstStart === null || o.t <= firstStart)).at(-1);
    const latest: Partial<Record<VitalField, number>> = {};
    if (stoppedAt !== null) {
      const points = await this.vitals.window(sessionId, Math.max(stoppedAt, now - LATEST_WINDOW_MS), now + 60_000, 2000);
      for (const p of points) for (const f of VITAL_FIELDS) if (typeof p[f] === 'number') latest[f] = p[f];
    }
    return {
      settings: dischargeSettingsOf(this.care.ruleSetOf(stored)),
      now,
      stoppedAt,
      baseline: stored.baseline,
      latest,
      baselineSedation: before && isSedation(before.scale) ? { scale: before.scale, score: before.score } : null,
      liverRisk: checklist?.input.liverRisk === true,
      cumulativeMgKg: live?.infusion.cumulativeMgPerKg ?? 0,
    };
  }

  /** The bedside items of the site's score (Aldrete or PADSS, from the session's rule set) must all be answered. */
  private withSiteScore(input: DischargeInput, facts: DischargeFacts): DischargeFacts {
    const missing = missingScoreItems(input, facts.settings);
    if (missing.length) throw badRequest(`invalid discharge: score the ${facts.settings.score.scale === 'padss' ? 'PADSS' : 'modified Aldrete'} items`, missing);
    return facts;
  }

  private requireRecovery(sessionId: string): void {
    const { phase } = this.sessions.phaseOf(sessionId);
    if (phase === 'infusion') throw new DomainError(409, 'cannot discharge while the infusion is running or paused (phase: infusion): stop it first, which starts recovery', [{ field: 'phase', reason: 'infusion' }]);
    if (phase !== 'recovery') throw new DomainError(409, `cannot discharge before recovery (phase: ${phase.replace('_', '-')}): the infusion has not been given and stopped`, [{ field: 'phase', reason: phase }]);
  }

  /** The criteria as they stand now for these answers (nothing stored): the nurse sees what is met and why. */
  async assess(sessionId: string, input: unknown): Promise<DischargeAssessment> {
    const p = this.parse(input);
    this.requireRecovery(sessionId);
    return assessDischarge(p, this.withSiteScore(p, await this.facts(sessionId)));
  }

  /**
   * Discharges when the criteria are met. Not met: refused (409, each unmet criterion with its reason)
   * unless a physician gives a reason, which is stored with the discharge and audited.
   */
  async discharge(sessionId: string, input: unknown, actor: Actor): Promise<{ session: Session; discharge: DischargeRecord }> {
    const p = this.parse(input);
    this.requireRecovery(sessionId);
    const assessment = assessDischarge(p, this.withSiteScore(p, await this.facts(sessionId)));
    const unmet = assessment.criteria.filter((c) => !c.met && !c.todo);
    if (!assessment.met) {
      if (!p.override)
        throw new DomainError(409, `discharge criteria not met: ${unmet.map((c) => `${c.label} (${c.reason})`).join('; ')}`, unmet.map((c) => ({ field: c.id, reason: c.reason })), { assessment });
      if (!actor.role || !can(actor.role, 'discharge.override')) throw forbidden('discharge before the criteria are met is the physician\'s decision, with a reason');
    }
    const now = this.clock.now();
    const override = !assessment.met && p.override ? { reason: p.override.reason, by: actor.id, at: now } : null;
    const { override: _given, ...answers } = p;
    const record: DischargeRecord = { sessionId, at: now, by: actor.id, input: answers, assessment, override };
    const session = await this.sessions.discharge(sessionId, override?.reason ?? null, actor, async (trx, l) => {
      await trx
        .insertInto('discharges')
        .values({ session_id: sessionId, body: JSON.stringify({ ...record, override: null }), met: assessment.met ? 1 : 0, at: now, by: actor.id, override: override ? JSON.stringify(override) : null, simulated: l.stored.simulated ? 1 : 0 })
        .execute();
      await insertAudit(trx, {
        at: now,
        actor: actor.id,
        action: override ? 'discharge.override' : 'discharge.record',
        entity: 'session',
        entityId: sessionId,
        after: { met: assessment.met, score: assessment.score, unmet: unmet.map((c) => c.id), override },
        requestId: actor.requestId ?? null,
      });
    });
    return { session, discharge: record };
  }

  async record(sessionId: string): Promise<DischargeRecord | null> {
    const r = await this.store.db.selectFrom('discharges').select(['body', 'override']).where('session_id', '=', sessionId).executeTakeFirst();
    if (!r) return null;
    return { ...(JSON.parse(r.body) as DischargeRecord), override: r.override ? (JSON.parse(r.override) as DischargeRecord['override']) : null };
  }
}
