export { runSimulation, simulatedChecklist, type RunSimulationOptions, type SimulatedSessionInfo, type SimulationHandle, type SimulationStats } from './runner';
export { DeviceClient, type DeviceClientOptions, type DeviceStats } from './device';
export { ApiError, InfusionApi, type ApiClientOptions } from './api';
export { DOMINO_1982, PK_PARAMETER_SETS, PkModel, dispositionRates, terminalHalfLifeMin, type PkAmounts, type PkParameterSet } from './pk';
export {
  DEFAULT_SCENARIO_ORDER,
  GUIDELINE_LIMITS,
  SCENARIOS,
  SCENARIO_NAMES,
  isScenarioName,
  resolveScenario,
  scenarioProblems,
  scenarioSchema,
  type InfusionStep,
  type Scenario,
  type ScenarioName,
} from './scenarios';
export { VitalsGenerator, toFrame, type VitalSigns, type VitalsGeneratorOptions } from './physiology';
export { SimulatedPatient, type PatientSample, type SimulatedPatientOptions } from './patient';
export { consoleLogger, silentLogger, type SimLogger } from './log';
export { loginHeaders } from './login';
