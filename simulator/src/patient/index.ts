export { SimulatedPatient, type PatientSample, type SimulatedPatientOptions } from './simulated-patient';
