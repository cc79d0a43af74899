export { createApp, type App, type AppDeps } from './app';
export { loadConfig, testConfig, ConfigError, type Config } from './config';
export { ManualClock, systemClock, type Clock } from './util/clock';
export { Hl7Message, Hl7ParseError, parseHl7Time } from './hl7/message';
export { isOruR01, readOru } from './hl7/oru';
export { MllpDecoder } from './hl7/mllp';
export { MAX_FRAMES_PER_BATCH } from './ingest/ingestService';
