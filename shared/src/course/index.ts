export * from './patients';
export * from './adverseEffects';
export * from './response';
export * from './series';
