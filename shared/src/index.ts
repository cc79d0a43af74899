export * from './vitals';
export * from './errors';
export * from './sessions';
export * from './dose';
export * from './alarms';
export * from './events';
export * from './rules/index';
export * from './roles';
