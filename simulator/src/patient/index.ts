export { ARCHETYPE_PROFILES, type ArchetypeProfile } from './archetypes';
export { SimulatedPatient, type GivenDrug, type PatientAction, type PatientSample, type SimulatedPatientOptions } from './simulated-patient';
