import type Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A directory whose disk can be filled and freed. As root it is a real 8 MB tmpfs, filled with a
 * ballast file until the kernel says ENOSPC, so SQLite fails with its own SQLITE_FULL. Where mounting
 * is not permitted it falls back to SQLite refusing writes on the server's connection (query_only),
 * which also fails every write with a storage error (SQLITE_READONLY).
 */
export interface SmallDisk {
  dir: string;
  mode: 'tmpfs' | 'query_only';
  /** Fills the disk; `db` is the server's connection (its WAL is emptied first so the next commit needs new space). */
  fill(db: Database.Database): void;
  free(db: Database.Database): void;
  /** Unmounts and removes; safe to call twice and after a failure. */
  cleanup(): void;
}

export function smallDisk(): SmallDisk {
  const dir = mkdtempSync(join(tmpdir(), 'infusion-disk-'));
  const ballast = join(dir, 'ballast');
  let mounted = false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', dir], { stdio: 'ignore' });
    mounted = true;
  } catch {
    // Not root, or no CAP_SYS_ADMIN in this container: use the fallback below.
  }
  return {
    dir,
    mode: mounted ? 'tmpfs' : 'query_only',
    fill(db) {
      if (!mounted) {
        db.pragma('query_only = ON');
        return;
      }
      db.pragma('wal_checkpoint(TRUNCATE)');
      fillUp(ballast);
    },
    free(db) {
      if (!mounted) {
        db.pragma('query_only = OFF');
        return;
      }
      rmSync(ballast, { force: true });
    },
    cleanup() {
      if (mounted) {
        // Lazy: still detaches if a file on it is open (a test that failed half-way).
        execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
        mounted = false;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Writes a ballast file until the file system has no byte left. */
export function fillUp(path: string): void {
  const fd = openSync(path, 'a');
  try {
    for (const size of [1 << 16, 4096, 512, 1]) {
      const buf = Buffer.alloc(size, 1);
      for (;;) {
        try {
          if (writeSync(fd, buf) < size) break;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw err;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
}
