/**
 * Ids per statement when many sessions are read at once (a takeover): one bind parameter each (two
 * for a per-session time), far below SQLite's 32,766 and PostgreSQL's 65,535.
 */
export const IDS_PER_STATEMENT = 500;

/**
 * Runs `read` on the ids in chunks of `IDS_PER_STATEMENT`, one after another (a batch never holds
 * several pool connections), and concatenates the rows. No ids: no statement (`IN ()` is not SQL).
 */
export async function readInChunks<I, R>(ids: readonly I[], read: (chunk: I[]) => Promise<R[]>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < ids.length; i += IDS_PER_STATEMENT) out.push(...(await read(ids.slice(i, i + IDS_PER_STATEMENT))));
  return out;
}

/** Rows grouped by session id, each group in the rows' order; every asked id has an entry (empty when none). */
export function bySession<R>(ids: readonly string[], rows: readonly R[], sessionOf: (r: R) => string): Map<string, R[]> {
  const out = new Map<string, R[]>(ids.map((id) => [id, []]));
  for (const r of rows) out.get(sessionOf(r))?.push(r);
  return out;
}
