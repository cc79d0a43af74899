export { runSimulation, simPatientRef, simulatedChecklist, type RunSimulationOptions, type SimulatedSessionInfo, type SimulationHandle, type SimulationStats } from './runner';
export { DeviceClient, type DeviceClientOptions, type DeviceStats } from './device';
export { ApiError, InfusionApi, type ApiClientOptions } from './api';
export { DOMINO_1982, PK_PARAMETER_SETS, PkModel, RESCUE_PK, dispositionRates, terminalHalfLifeMin, type PkAmounts, type PkParameterSet } from './pk';
export { PD, type PdValue } from './pd/parameters';
export { NO_DRUGS, type DrugLevels, type PdSusceptibility } from './pd/effects';
export {
  DEFAULT_SCENARIO_ORDER,
  FIRST_COURSE_MINIMUM,
  GUIDELINE_LIMITS,
  planDose,
  SCENARIOS,
  SCENARIO_NAMES,
  isScenarioName,
  resolveScenario,
  scenarioProblems,
  scenarioSchema,
  type InfusionStep,
  type Scenario,
  type ScenarioInput,
  type ScenarioName,
} from './scenarios';
export { Monitor, VitalsGenerator, toFrame, type MonitorReading, type MonitorValues, type PatientState, type VitalSigns, type VitalsGeneratorOptions } from './physiology';
export { ARCHETYPE_PROFILES, SimulatedPatient, type ArchetypeProfile, type GivenDrug, type PatientAction, type PatientSample, type SimulatedPatientOptions } from './patient';
export { runHeadless, type HeadlessAlarm, type HeadlessOptions } from './headless';
export { consoleLogger, silentLogger, type SimLogger } from './log';
export { loginHeaders } from './login';
export { FRAME_STEP_S, TrainingHost, type TrainingHostOptions, type TrainingHostStats } from './training/host';
export { replayPlan, type ReplayPlan } from './training/replay';
