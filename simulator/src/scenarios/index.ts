import artifacts from './data/artifacts.json';
import bolusOverLimit from './data/bolus-over-limit.json';
import bradycardia from './data/bradycardia.json';
import checklistFail from './data/checklist-fail.json';
import desaturation from './data/desaturation.json';
import emergence from './data/emergence.json';
import hypertensive from './data/hypertensive.json';
import stable from './data/stable.json';
import tachycardia from './data/tachycardia.json';
import { scenarioProblems } from './guideline';
import { scenarioSchema, type Scenario, type ScenarioInput } from './schema';

export { FIRST_COURSE_MINIMUM, GUIDELINE_LIMITS, planDose, scenarioProblems } from './guideline';
export { infusionStepSchema, scenarioEventSchema, scenarioSchema, vitalExcursionSchema, type ExpectedAction, type InfusionStep, type Scenario, type ScenarioEvent, type ScenarioInput } from './schema';

/** The shipped scenarios are JSON documents; each is validated here, so a bad one fails at load naming the field. */
function load(doc: unknown, file: string): Scenario {
  const parsed = scenarioSchema.safeParse(doc);
  if (!parsed.success) throw new Error(`scenario ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

export const SCENARIOS = {
  stable: load(stable, 'stable.json'),
  desaturation: load(desaturation, 'desaturation.json'),
  hypertensive: load(hypertensive, 'hypertensive.json'),
  tachycardia: load(tachycardia, 'tachycardia.json'),
  emergence: load(emergence, 'emergence.json'),
  bradycardia: load(bradycardia, 'bradycardia.json'),
  artifacts: load(artifacts, 'artifacts.json'),
  'bolus-over-limit': load(bolusOverLimit, 'bolus-over-limit.json'),
  'checklist-fail': load(checklistFail, 'checklist-fail.json'),
} as const satisfies Record<string, Scenario>;
export type ScenarioName = keyof typeof SCENARIOS;
export const SCENARIO_NAMES = Object.keys(SCENARIOS) as ScenarioName[];

/** Round-robin order: any four consecutive sessions show a desaturation and a hypertensive patient. */
export const DEFAULT_SCENARIO_ORDER: readonly ScenarioName[] = ['stable', 'desaturation', 'hypertensive', 'tachycardia'];

export const isScenarioName = (name: string): name is ScenarioName => Object.hasOwn(SCENARIOS, name);

/**
 * Resolves a name or checks a scenario given as data (e.g. loaded from JSON): it must match the
 * schema and keep to the guideline dose limits, otherwise this throws with every problem listed.
 */
export function resolveScenario(s: string | ScenarioInput): Scenario {
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
