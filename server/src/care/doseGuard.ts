import { checkDose, configureRuleSet, doseAt, type DoseAction, type DoseCheck, type DoseContext, type DoseOverride, type InfusionEventInput } from '@infusion/shared';
import type { SessionRepo } from '../persistence/sessionRepo';
import type { RuleSetStore } from '../rules/ruleSetStore';
import type { SessionRules } from '../rules/sessionRules';
import type { Actor, DoseClearance, LiveSession } from '../sessions/sessionService';
import type { Clock } from '../util/clock';
import { DomainError } from '../util/errors';
import type { CareService } from './careService';

const bodyOf = (check: DoseCheck) => check.crossings.map((c) => ({ field: c.id, reason: c.message }));

/**
 * Limits before the dose: builds the dose check's context for a live session (order, checklist,
 * rule sets, infusion, boluses) and answers start, rate change and bolus before anything is stored.
 * Refusals and unconfirmed soft limits are logged for the compliance report; the dose is not.
 */
export class DoseGuard {
  constructor(
    private readonly care: CareService,
    private readonly repo: SessionRepo,
    private readonly rules: SessionRules,
    private readonly ruleSets: RuleSetStore,
    private readonly clock: Clock,
  ) {}

  async context(l: LiveSession, t: number): Promise<DoseContext> {
    const s = l.stored;
    // The site's set, the profile's and the bedside's: a profile or an override tightens a dose limit, never loosens it.
    const site = this.ruleSets.get(s.ruleSetVersion);
    const profile = configureRuleSet(site, { profile: s.profile }).ruleSet;
    const withOverrides = this.rules.configured(s).ruleSet;
    const checklist = this.care.heldChecklist(s.id);
    // Per-kg limits are judged on the weight the site doses on (actual, ideal or adjusted), as every per-kg figure is shown.
    const weightKg = this.care.dosingWeightKg(s);
    const events = await this.repo.events(s.id);
    return {
      weightKg,
      setting: s.setting,
      ruleSets: [site, profile, withOverrides],
      order: this.care.heldOrder(s.id),
      checklistRateMgKgH: checklist ? checklist.input.orderedRateMgKgH : null,
      infusion: doseAt(l.infusion, weightKg, Math.max(t, l.infusion.asOf)),
      boluses: events
        .filter((e) => e.type === 'bolus' && e.doseMg !== null)
        .map((e) => ({ t: e.t, doseMg: e.doseMg! })),
      t,
    };
  }

  /** What the action would meet, without storing or logging anything (the form's preview). */
  async preview(l: LiveSession, action: DoseAction, t = this.clock.now()): Promise<DoseCheck> {
    return checkDose(await this.context(l, t), action);
  }

  async gate(l: LiveSession, ev: InfusionEventInput, t: number, actor: Actor): Promise<DoseClearance> {
    if (ev.type !== 'start' && ev.type !== 'rate_change' && ev.type !== 'bolus') return { override: null, stored: async () => {} };
    const s = l.stored;
    if (ev.type === 'bolus') {
      // A bolus only after the pre-infusion checklist passed (or a physician overrode it).
      const blockers = this.care.startBlockers(s.id);
      if (blockers.length) throw new DomainError(409, `cannot give a bolus: ${blockers.length} pre-infusion checklist item(s) not met`, blockers.map((b) => ({ field: 'checklist', reason: b })));
    }
    const action: DoseAction = ev.type === 'bolus' ? { type: 'bolus', doseMg: ev.doseMg } : { type: ev.type, rateMgKgH: ev.rateMgKgH };
    const check = checkDose(await this.context(l, t), action);
    const who = { id: s.id, unit: s.unit, simulated: s.simulated };
    const logged = { at: this.clock.now(), by: actor.id, action: `infusion.${ev.type}` };
    if (check.outcome === 'refused') {
      await this.care.guardrails.recordRefusal(who, { ...logged, outcome: 'refused', reason: null }, check.crossings);
      const hard = check.crossings.filter((c) => c.level === 'hard');
      throw new DomainError(409, `refused by ${hard.length} hard limit(s): ${hard.map((c) => c.message).join('; ')}`, bodyOf(check), { check });
    }
    if (check.outcome === 'ok') return { override: null, stored: async () => {} };
    if (!ev.confirm) {
      await this.care.guardrails.recordRefusal(who, { ...logged, outcome: 'alerted', reason: null }, check.crossings);
      throw new DomainError(
        409,
        `confirmation needed for ${check.crossings.length} soft limit(s): ${check.crossings.map((c) => c.message).join('; ')}; confirm with a reason${check.confirmRole ? ' (a physician confirms)' : ''} (confirm.reason)`,
        bodyOf(check),
        { check },
      );
    }
    if (check.confirmRole === 'physician' && actor.role !== 'physician' && actor.role !== 'trainer') {
      await this.care.guardrails.recordRefusal(who, { ...logged, outcome: 'alerted', reason: null }, check.crossings);
      throw new DomainError(403, `only a physician may confirm: ${check.crossings.filter((c) => c.confirmRole).map((c) => c.message).join('; ')}`, bodyOf(check), { check });
    }
    const override: DoseOverride = {
      reason: ev.confirm.reason,
      by: actor.id,
      limits: check.crossings.map((c) => ({ id: c.id, value: c.value, limit: c.limit, unit: c.unit, source: c.source })),
    };
    // The confirmed crossings commit with the event they allowed.
    return { override, stored: (_event, trx) => this.care.guardrails.record(who, { ...logged, outcome: 'overridden', reason: override.reason }, check.crossings, trx) };
  }
}
