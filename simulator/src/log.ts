/** The few logging calls the simulator makes; console and pino loggers both fit. */
export interface SimLogger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export const consoleLogger: SimLogger = {
  info: (msg) => console.log(msg),
  warn: (msg) => console.warn(msg),
  error: (msg) => console.error(msg),
};

export const silentLogger: SimLogger = { info: () => {}, warn: () => {}, error: () => {} };

export const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));
