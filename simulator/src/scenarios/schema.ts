/** The scenario schema is part of the contract (shared/src/scenario.ts): the server and the trainer console validate the same documents. */
export {
  infusionStepSchema,
  scenarioEventSchema,
  scenarioSchema,
  vitalExcursionSchema,
  type ExpectedAction,
  type InfusionStep,
  type Scenario,
  type ScenarioEvent,
  type ScenarioInput,
} from '@infusion/shared';
