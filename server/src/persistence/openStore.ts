import { redactUrl, type Config } from '../config';
import { openPostgresStore } from './pgStore';
import { openSqliteStore, type Store } from './store';

/** The store the configuration selects: PostgreSQL when DATABASE_URL is set, else the SQLite file at DB_PATH. */
export function openStore(config: Pick<Config, 'DATABASE_URL' | 'DATABASE_POOL_SIZE' | 'DB_PATH'>, now: number): Promise<Store> {
  if (config.DATABASE_URL) return openPostgresStore({ url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE }, now);
  return Promise.resolve(openSqliteStore(config.DB_PATH, now));
}

/** Where the data is, for logs: the SQLite path, or the PostgreSQL URL without its password. */
export const storeLocation = (config: Pick<Config, 'DATABASE_URL' | 'DB_PATH'>): string => (config.DATABASE_URL ? redactUrl(config.DATABASE_URL) : config.DB_PATH);
