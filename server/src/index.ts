export { createApp, type App, type AppDeps } from './app';
export { loadConfig, testConfig, ConfigError, type Config } from './config';
export { ManualClock, systemClock, type Clock } from './util/clock';
