import { checkDose, checkRescue, defaultFormulary, defaultRuleSet, type DoseContext, type Order } from '@infusion/shared';
import { describe, expect, it } from 'vitest';
import { T0 } from '../testFixtures';
import { asDoseCheck, crossingText, limitLines, markOf, mayConfirm, orderFormFrom, orderSummary, orderVersionIn, readDoseRefusal, reasonProblem, toOrderInput } from './doseLimits';

const order = (over: Partial<Order> = {}): Order => ({
  sessionId: 's1',
  drug: 'ketamine',
  setting: 'clinic',
  rateMinMgKgH: 0.5,
  rateMaxMgKgH: 1,
  bolusAllowed: true,
  bolusMaxMgKg: 0.2,
  bolusMinIntervalMin: 10,
  maxCumulativeMgKg: 8,
  version: 2,
  at: T0,
  by: 'physician',
  ...over,
});

const ctx = (over: Partial<DoseContext> = {}): DoseContext => ({
  weightKg: 70,
  setting: 'clinic',
  ruleSets: [defaultRuleSet],
  order: order(),
  checklistRateMgKgH: 0.5,
  infusion: { status: 'running', rateMgKgH: 0.5, cumulativeMg: 0, cumulativeMgPerKg: 0, asOf: T0 },
  boluses: [],
  t: T0,
  ...over,
});

describe('limits shown before a dose is given', () => {
  it('shows the order range as one line, and every rule with its level and source', () => {
    const lines = limitLines(checkDose(ctx(), { type: 'rate_change', rateMgKgH: 0.8 }));
    expect(lines[0]).toMatchObject({ ids: ['order.rate.min', 'order.rate.max'], text: 'Order v2: 0.5–1 mg/kg/h', level: 'hard', crossed: false });
    const clinic = lines.find((l) => l.ids[0] === 'dose.rate.clinic')!;
    expect(clinic.text).toBe('Infusion rate needs a monitored setting: ≤ 1 mg/kg/h');
    expect(clinic.source).toMatch(/ASRA\/AAPM\/ASA 2018.*Table 6/);
    expect(lines.every((l) => !l.crossed)).toBe(true);
  });

  it('marks a rate past the order and a guideline maximum as hard, naming both', () => {
    const check = checkDose(ctx(), { type: 'rate_change', rateMgKgH: 15 });
    expect(markOf(check)).toBe('hard');
    const crossed = limitLines(check).filter((l) => l.crossed);
    expect(crossed.map((l) => l.ids.join('+'))).toEqual(expect.arrayContaining(['order.rate.min+order.rate.max', 'dose.rate.max', 'dose.rate.clinic']));
    const max = check.crossings.find((c) => c.id === 'dose.rate.max')!;
    expect(crossingText(max)).toBe('Infusion rate above any reported dose: 15 mg/kg/h, limit > 7 mg/kg/h');
  });

  it('marks a bolus past the rolling window as soft with a physician to confirm', () => {
    const c = ctx({ setting: 'monitored_unit', order: order({ setting: 'monitored_unit', bolusMaxMgKg: 0.5 }) });
    const check = checkDose({ ...c, boluses: [{ t: T0 - 20 * 60_000, doseMg: 14 }] }, { type: 'bolus', doseMg: 28 });
    expect(markOf(check)).toBe('soft');
    const window = limitLines(check).find((l) => l.ids[0] === 'bolus.window')!;
    expect(window).toMatchObject({ level: 'soft', physicianConfirms: true, crossed: true });
    expect(window.text).toBe('Boluses within 15 min: ≤ 0.35 mg/kg');
    expect(limitLines(check).find((l) => l.ids[0] === 'order.bolus.interval')!.text).toBe('Bolus sooner than the ordered interval: at least 10 min since the last bolus');
  });

  it('reads which order version the server checked against (none without an order)', () => {
    expect(orderVersionIn(checkDose(ctx({ order: order({ version: 3 }) }), { type: 'rate_change', rateMgKgH: 0.8 }))).toBe(3);
    expect(orderVersionIn(checkDose(ctx({ order: null }), { type: 'rate_change', rateMgKgH: 0.8 }))).toBeNull();
    expect(orderVersionIn(null)).toBeNull();
  });

  it('reads a bolus the order does not allow as a plain statement', () => {
    const lines = limitLines(checkDose(ctx({ order: order({ bolusAllowed: false, bolusMaxMgKg: null, bolusMinIntervalMin: null }) }), { type: 'bolus', doseMg: 5 }));
    expect(lines.find((l) => l.ids[0] === 'order.bolus.allowed')).toMatchObject({ text: 'Bolus not allowed by the order', level: 'hard', crossed: true });
  });

  it('shows the formulary dose of a rescue drug as a soft limit and its multiple as hard', () => {
    const midazolam = defaultFormulary.entries.find((e) => e.id === 'midazolam')!;
    const check = checkRescue(midazolam, 50, 70, defaultRuleSet.doseSafety?.rescue);
    expect(markOf(check)).toBe('hard');
    expect(limitLines(check).map((l) => `${l.text}|${l.level}|${l.crossed}`)).toEqual(['Midazolam above the formulary dose: ≤ 3.5 mg|soft|true', 'Midazolam at 2 times the formulary dose or more: < 7 mg|hard|true']);
  });
});

describe('who confirms a soft limit', () => {
  it('anyone for a plain soft limit; a physician (or a trainer on a simulated session) when the limit says so', () => {
    expect(mayConfirm('nurse', false, { confirmRole: null })).toBe(true);
    expect(mayConfirm('nurse', false, { confirmRole: 'physician' })).toBe(false);
    expect(mayConfirm('physician', false, { confirmRole: 'physician' })).toBe(true);
    expect(mayConfirm('trainer', true, { confirmRole: 'physician' })).toBe(true);
    expect(mayConfirm('trainer', false, { confirmRole: 'physician' })).toBe(false);
    expect(mayConfirm(null, false, { confirmRole: null })).toBe(false);
  });

  it('requires a reason of at least 5 characters', () => {
    expect(reasonProblem('  ok  ')).toMatch(/at least 5/);
    expect(reasonProblem('pain 9/10 after review')).toBeNull();
  });

  it('reads the check a refusal carries, and nothing else', () => {
    const check = checkDose(ctx(), { type: 'rate_change', rateMgKgH: 15 });
    expect(asDoseCheck(JSON.parse(JSON.stringify(check)))).toEqual(check);
    expect(asDoseCheck({ outcome: 'maybe', limits: [], crossings: [] })).toBeNull();
    expect(asDoseCheck('refused')).toBeNull();
    expect(asDoseCheck(undefined)).toBeNull();
  });
});

describe('the order form', () => {
  it('round-trips an order and writes it for the session setting', () => {
    const f = orderFormFrom(order());
    const r = toOrderInput(f, 'clinic');
    expect(r).toEqual({ ok: true, input: { setting: 'clinic', rateMinMgKgH: 0.5, rateMaxMgKgH: 1, bolusAllowed: true, bolusMaxMgKg: 0.2, bolusMinIntervalMin: 10, maxCumulativeMgKg: 8 } });
  });

  it('names each missing or inconsistent field with the server schema reason', () => {
    expect(toOrderInput({ ...orderFormFrom(null), bolusAllowed: true }, 'clinic')).toEqual({
      ok: false,
      problems: expect.arrayContaining([
        { field: 'rateMinMgKgH', reason: 'enter a number' },
        { field: 'bolusMaxMgKg', reason: 'enter a number' },
        { field: 'maxCumulativeMgKg', reason: 'enter a number' },
      ]),
    });
    const r = toOrderInput({ ...orderFormFrom(order()), rateMin: '2', rateMax: '1' }, 'clinic');
    expect(r).toEqual({ ok: false, problems: [{ field: 'rateMinMgKgH', reason: 'must not be above rateMaxMgKgH' }] });
  });

  it('drops the bolus fields when boluses are not allowed', () => {
    const r = toOrderInput({ ...orderFormFrom(order()), bolusAllowed: false, bolusMax: 'x' }, 'icu');
    expect(r.ok && r.input).toMatchObject({ setting: 'icu', bolusAllowed: false, bolusMaxMgKg: null, bolusMinIntervalMin: null });
  });

  it('summarises the order', () => {
    expect(orderSummary(order())).toBe('0.5–1 mg/kg/h; boluses up to 0.2 mg/kg, at least 10 min apart; at most 8 mg/kg in all');
    expect(orderSummary(order({ bolusAllowed: false }))).toBe('0.5–1 mg/kg/h; no boluses; at most 8 mg/kg in all');
  });
});

describe('reading a refused dose the same way in every form', () => {
  const soft = { action: { type: 'bolus' as const, doseMg: 28 }, limits: [], crossings: [], outcome: 'needs_confirmation' as const, confirmRole: 'physician' as const };
  const hard = { ...soft, outcome: 'refused' as const, confirmRole: null };
  it('opens the confirmation on a first soft-limit answer, never on a confirmed one', () => {
    expect(readDoseRefusal({ status: 409, error: 'x', check: soft }, false, false)).toEqual({ kind: 'confirm', check: soft });
    expect(readDoseRefusal({ status: 409, error: 'needs confirmation', check: soft }, true, true)).toMatchObject({ kind: 'refused', refusal: { error: 'needs confirmation', check: soft } });
  });
  it('keeps the dialog open on a malformed confirmation, naming the field', () => {
    expect(readDoseRefusal({ status: 400, error: 'invalid', fields: [{ field: 'confirm.reason', reason: 'too short' }] }, true, true)).toEqual({ kind: 'dialog_error', text: 'confirm.reason: too short' });
  });
  it('shows a hard refusal, a 403 and an unreachable server plainly', () => {
    expect(readDoseRefusal({ status: 409, error: 'refused by a hard limit', check: hard }, false, false)).toEqual({ kind: 'refused', refusal: { error: 'refused by a hard limit', fields: undefined, check: hard } });
    expect(readDoseRefusal({ status: 403, error: 'a physician confirms', check: soft }, true, true).kind).toBe('refused');
    expect(readDoseRefusal({ status: 0, error: 'server unreachable' }, false, false)).toEqual({ kind: 'refused', refusal: { error: 'server unreachable', fields: undefined, check: null } });
  });
});
