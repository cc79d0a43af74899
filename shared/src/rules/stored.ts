import { z } from 'zod';
import { fieldErrors, type FieldError } from '../errors';
import { VITAL_FIELDS } from '../vitals';
import { ENGINE_STATE_VERSION, RULE_PHASES, type EngineState, type RuleState } from './state';

/**
 * The per-session engine state as it is stored, so that a node taking over a session (or a restart)
 * resumes each rule in its phase: a firing rule stays firing and is not raised again, a pending delay
 * keeps its start, a clear delay keeps counting. The stored form is the state itself (plain JSON);
 * the schema checks it on the way back in, so a damaged row is refused with the field named instead
 * of being evaluated.
 */

const epochMs = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const reading = z.tuple([epochMs, z.number().finite()]);

const assessmentSchema = z.strictObject({
  lvl: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)]),
  v: z.number().finite().nullable(),
  lim: z.number().finite().nullable(),
  x: z.array(z.number().finite().nullable()).nullable(),
});

/** One rule's state: the phase decides which times are set (see RULE_PHASES). */
export const ruleStateSchema = z
  .strictObject({
    phase: z.enum(RULE_PHASES),
    since: epochMs.nullable(),
    clearSince: epochMs.nullable(),
    a: assessmentSchema.nullable(),
    /** Kind-specific bounded data (trend buckets, breath clock, sensor-off bits): plain JSON. */
    d: z.json(),
  })
  .superRefine((r, ctx) => {
    if ((r.phase === 'normal') !== (r.since === null))
      ctx.addIssue({ code: 'custom', path: ['since'], message: r.phase === 'normal' ? 'must be null in phase normal' : `required in phase ${r.phase}` });
    if ((r.phase === 'clearing') !== (r.clearSince !== null))
      ctx.addIssue({ code: 'custom', path: ['clearSince'], message: r.phase === 'clearing' ? 'required in phase clearing' : `must be null in phase ${r.phase}` });
  });

const byField = <T extends z.ZodType>(value: T) => z.strictObject(Object.fromEntries(VITAL_FIELDS.map((f) => [f, value.optional()])) as Record<(typeof VITAL_FIELDS)[number], z.ZodOptional<T>>);

export const storedEngineStateSchema = z
  .strictObject({
    v: z.literal(ENGINE_STATE_VERSION),
    dataDueFrom: epochMs.nullable(),
    lastT: epochMs.nullable(),
    lastVitalsAt: epochMs.nullable(),
    raw: byField(reading),
    vals: byField(reading.nullable()),
    ids: z.array(z.string().min(1)),
    rules: z.array(ruleStateSchema),
  })
  .superRefine((s, ctx) => {
    if (s.ids.length !== s.rules.length) ctx.addIssue({ code: 'custom', path: ['rules'], message: `${s.rules.length} rule states for ${s.ids.length} rule ids` });
    if (new Set(s.ids).size !== s.ids.length) ctx.addIssue({ code: 'custom', path: ['ids'], message: 'a rule id appears twice' });
  });

export type StoredEngineState = z.infer<typeof storedEngineStateSchema>;

/** The state as stored: a JSON string (one column or key per session). */
export function serializeEngineState(state: EngineState): string {
  return JSON.stringify(state);
}

/**
 * The state back from its stored form, checked against the schema. A state that does not pass is
 * refused with each field and reason (the caller falls back to the alarms on record), never guessed.
 */
export function restoreEngineState(stored: string): { ok: true; state: EngineState } | { ok: false; fields: FieldError[] } {
  let json: unknown;
  try {
    json = JSON.parse(stored);
  } catch (err) {
    return { ok: false, fields: [{ field: '(root)', reason: `not JSON: ${(err as Error).message}` }] };
  }
  const r = storedEngineStateSchema.safeParse(json);
  if (!r.success) return { ok: false, fields: fieldErrors(r.error) };
  const s = r.data;
  // Rebuilt field by field so the state has exactly the engine's shape (no key it does not know).
  const rules: RuleState[] = s.rules.map((x) => ({ phase: x.phase, since: x.since, clearSince: x.clearSince, a: x.a, d: x.d }));
  return { ok: true, state: { v: s.v, dataDueFrom: s.dataDueFrom, lastT: s.lastT, lastVitalsAt: s.lastVitalsAt, raw: s.raw, vals: s.vals, ids: s.ids, rules } };
}
