import { desaturation } from './desaturation';
import { scenarioProblems } from './guideline';
import { hypertensive } from './hypertensive';
import { scenarioSchema, type Scenario } from './schema';
import { stable } from './stable';
import { tachycardia } from './tachycardia';

export { GUIDELINE_LIMITS, scenarioProblems } from './guideline';
export { infusionStepSchema, scenarioSchema, vitalExcursionSchema, type InfusionStep, type Scenario } from './schema';

export const SCENARIOS = { stable, desaturation, hypertensive, tachycardia } as const satisfies Record<string, Scenario>;
export type ScenarioName = keyof typeof SCENARIOS;
export const SCENARIO_NAMES = Object.keys(SCENARIOS) as ScenarioName[];

/** Round-robin order: any four consecutive sessions show a desaturation and a hypertensive patient. */
export const DEFAULT_SCENARIO_ORDER: readonly ScenarioName[] = ['stable', 'desaturation', 'hypertensive', 'tachycardia'];

export const isScenarioName = (name: string): name is ScenarioName => Object.hasOwn(SCENARIOS, name);

/**
 * Resolves a name or checks a scenario given as data (e.g. loaded from JSON): it must match the
 * schema and keep to the guideline dose limits, otherwise this throws with every problem listed.
 */
export function resolveScenario(s: string | Scenario): Scenario {
  if (typeof s === 'string') {
    if (!isScenarioName(s)) throw new Error(`unknown scenario "${s}" (known: ${SCENARIO_NAMES.join(', ')})`);
    return SCENARIOS[s];
  }
  const parsed = scenarioSchema.safeParse(s);
  if (!parsed.success) {
    throw new Error(`invalid scenario: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
  const problems = scenarioProblems(parsed.data);
  if (problems.length) throw new Error(`scenario "${parsed.data.name}" outside the guideline: ${problems.join('; ')}`);
  return parsed.data;
}
