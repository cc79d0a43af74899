export { PkModel, dispositionRates, terminalHalfLifeMin, type PkAmounts } from './model';
export { DOMINO_1982, PK_PARAMETER_SETS, type PkParameterSet } from './parameters';
export { CLONIDINE_LOWENTHAL, FENTANYL_SHAFER, METOPROLOL_REGARDH, MIDAZOLAM_ZOMORODI, ONDANSETRON_CHIANG, RESCUE_PK } from './rescue-drugs';
