import { adverseEffectInputSchema, fieldErrors, type AdverseEffect, type AdverseEffectType, type RuleSet, type Session, type Severity } from '@infusion/shared';
import type { AlarmRepo } from '../persistence/alarmRepo';
import { insertAudit } from '../persistence/auditRepo';
import type { Store } from '../persistence/store';
import type { Actor } from '../sessions/sessionService';
import type { Clock } from '../util/clock';
import { badRequest } from '../util/errors';
import type { Hub } from '../util/hub';
import type { CareService } from './careService';

type Row = { id: number; session_id: string; type: string; severity: string; t: number; note: string | null; rescue_dose_id: number | null; alarm_id: number | null; cadss_total: number | null; by: string; at: number };
const toEffect = (r: Row): AdverseEffect => ({
  id: Number(r.id),
  sessionId: r.session_id,
  type: r.type as AdverseEffectType,
  severity: r.severity as Severity,
  t: r.t,
  note: r.note,
  rescueDoseId: r.rescue_dose_id === null ? null : Number(r.rescue_dose_id),
  alarmId: r.alarm_id === null ? null : Number(r.alarm_id),
  cadssTotal: r.cadss_total,
  by: r.by,
  at: r.at,
});

/**
 * Adverse effects of a session with time and severity, optionally linked to the rescue dose given for
 * them and the alarm they came with (both of the same session). Documented while the session runs or
 * after it ended (an effect noticed in recovery is written when it is seen). Audited; every screen
 * showing the session gets it (`adverseEffect`).
 */
export class AdverseEffects {
  constructor(
    private readonly store: Store,
    private readonly care: Pick<CareService, 'rescueDoses'>,
    private readonly alarms: Pick<AlarmRepo, 'forSession'>,
    private readonly ruleSetOf: (s: Session) => RuleSet,
    private readonly clock: Clock,
    private readonly hub: Hub,
  ) {}

  async record(s: Session, input: unknown, actor: Actor): Promise<AdverseEffect> {
    const p = adverseEffectInputSchema.safeParse(input);
    if (!p.success) throw badRequest('invalid adverse effect', fieldErrors(p.error));
    const d = p.data;
    const now = this.clock.now();
    const t = d.t ?? now;
    const bad = (field: string, reason: string) => badRequest('invalid adverse effect', [{ field, reason }]);
    if (t > now + 60_000) throw bad('t', 'more than 60 s in the future');
    if (t < s.createdAt - 3_600_000) throw bad('t', 'more than an hour before the session opened');
    if (d.cadssTotal !== undefined && this.ruleSetOf(s).adverseEffects?.cadss !== true) throw bad('cadssTotal', 'this site does not score dissociation on CADSS (rule set: adverseEffects.cadss)');
    if (d.rescueDoseId !== undefined && !(await this.care.rescueDoses(s.id)).some((r) => r.id === d.rescueDoseId)) throw bad('rescueDoseId', 'not a rescue dose of this session');
    if (d.alarmId !== undefined && !(await this.alarms.forSession(s.id, 100_000)).some((a) => a.id === d.alarmId)) throw bad('alarmId', 'not an alarm of this session');
    const effect = await this.store.transaction(async (trx) => {
      const { id } = await trx
        .insertInto('adverse_effects')
        .values({ session_id: s.id, type: d.type, severity: d.severity, t, note: d.note ?? null, rescue_dose_id: d.rescueDoseId ?? null, alarm_id: d.alarmId ?? null, cadss_total: d.cadssTotal ?? null, by: actor.id, at: now, simulated: s.simulated ? 1 : 0 })
        .returning('id')
        .executeTakeFirstOrThrow();
      const effect: AdverseEffect = { id: Number(id), sessionId: s.id, type: d.type, severity: d.severity, t, note: d.note ?? null, rescueDoseId: d.rescueDoseId ?? null, alarmId: d.alarmId ?? null, cadssTotal: d.cadssTotal ?? null, by: actor.id, at: now };
      await insertAudit(trx, { at: now, actor: actor.id, action: 'adverse_effect.record', entity: 'session', entityId: s.id, after: effect, requestId: actor.requestId ?? null });
      return effect;
    });
    this.hub.emit('adverseEffect', effect);
    return effect;
  }

  async list(sessionId: string): Promise<AdverseEffect[]> {
    const rows = await this.store.db.selectFrom('adverse_effects').selectAll().where('session_id', '=', sessionId).orderBy('t').orderBy('id').execute();
    return rows.map((r) => toEffect(r as Row));
  }
}
