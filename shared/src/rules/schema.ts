import { z } from 'zod';
import { ALARM_PRIORITIES } from '../alarms';
import { VITAL_FIELDS } from '../vitals';

/** Every rule names where it comes from, so a clinician can check it. */
export const ruleSourceSchema = z.strictObject({
  document: z.string().min(1),
  section: z.string().min(1),
  /** True when the value is not in the guideline: shown as an editable institutional default. */
  institutionalDefault: z.boolean(),
});

export const thresholdRuleSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9_.-]+$/),
  title: z.string().min(1),
  kind: z.literal('threshold'),
  priority: z.enum(ALARM_PRIORITIES),
  field: z.enum(VITAL_FIELDS),
  op: z.enum(['<', '>']),
  limit: z.number(),
  /** Condition must hold this long (event time) before the alarm fires. */
  forMs: z.number().int().nonnegative(),
  /** The alarm clears only once the value is this far back on the safe side of the limit. */
  hysteresis: z.number().nonnegative(),
  latching: z.boolean(),
  /** Placeholders: {label} {value} {op} {limit} {unit}. */
  message: z.string().min(1),
  actions: z.array(z.string()),
  source: ruleSourceSchema,
});

export const ruleSchema = z.discriminatedUnion('kind', [thresholdRuleSchema]);

export const ruleSetSchema = z
  .strictObject({
    id: z.string().min(1),
    version: z.number().int().positive(),
    name: z.string().min(1),
    description: z.string(),
    rules: z.array(ruleSchema).min(1),
  })
  .superRefine((rs, ctx) => {
    const seen = new Set<string>();
    rs.rules.forEach((r, i) => {
      if (seen.has(r.id)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: `duplicate rule id ${r.id}` });
      seen.add(r.id);
    });
  });

export type RuleSource = z.infer<typeof ruleSourceSchema>;
export type ThresholdRule = z.infer<typeof thresholdRuleSchema>;
export type Rule = z.infer<typeof ruleSchema>;
export type RuleSet = z.infer<typeof ruleSetSchema>;

export const formatSource = (s: RuleSource) =>
  `${s.document}, ${s.section}${s.institutionalDefault ? ' (institutional default, editable)' : ''}`;
