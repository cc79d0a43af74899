export { PkModel, dispositionRates, terminalHalfLifeMin, type PkAmounts } from './model';
export { DOMINO_1982, PK_PARAMETER_SETS, type PkParameterSet } from './parameters';
