import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrate } from './migrations';

export type Db = Database.Database;

export function openDatabase(path: string, now: number): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    // WAL + NORMAL: a commit survives a process crash (SIGKILL); only an OS crash can lose the last commits.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    migrate(db, now);
    return db;
  } catch (err) {
    // E.g. a full disk with no room for the WAL index: the caller may retry; leave no open handle behind.
    db.close();
    throw err;
  }
}
