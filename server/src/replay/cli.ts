import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fieldErrors, ruleSetSchema } from '@infusion/shared';
import { sqliteStore } from '../persistence/store';
import { diffReplays, replaySession, type ReplayedAlarm } from './replay';

const USAGE = `Usage: npm run replay -- --session ID [--rules FILE] [--db PATH]

  --session ID   the logged session to re-run
  --rules FILE   a rule-set JSON document to compare with the one the session ran under
  --db PATH      the database (default: DB_PATH or ./data/infusion.db); opened read-only`;

const time = (t: number) => new Date(t).toISOString().replace('T', ' ').slice(0, 19);
const line = (a: ReplayedAlarm) => `  ${time(a.t)}  ${a.priority.padEnd(6)} ${a.ruleId.padEnd(26)} ${a.message}${a.clearedAt ? `  (cleared ${time(a.clearedAt)})` : ''}`;

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ options: { session: { type: 'string' }, rules: { type: 'string' }, db: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (e) {
    console.error(`replay: ${e instanceof Error ? e.message : String(e)}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.session) {
    console.error(`replay: --session is required\n\n${USAGE}`);
    return 2;
  }
  const dbPath = values.db ?? process.env.DB_PATH ?? './data/infusion.db';
  let other;
  if (values.rules) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(values.rules, 'utf8'));
    } catch (e) {
      console.error(`replay: cannot read ${values.rules}: ${e instanceof Error ? e.message : String(e)}`);
      return 2;
    }
    const p = ruleSetSchema.safeParse(json);
    if (!p.success) {
      console.error(`replay: ${values.rules} is not a valid rule set:\n${fieldErrors(p.error).map((f) => `  ${f.field}: ${f.reason}`).join('\n')}`);
      return 2;
    }
    other = p.data;
  }
  const store = sqliteStore(new Database(dbPath, { readonly: true, fileMustExist: true }));
  try {
    const recorded = await replaySession(store, values.session);
    console.log(`Session ${recorded.sessionId}: ${recorded.events} events under rule set ${recorded.ruleSet.id} v${recorded.ruleSet.version}: ${recorded.alarms.length} alarms`);
    recorded.alarms.forEach((a) => console.log(line(a)));
    if (other) {
      const alt = await replaySession(store, values.session, other);
      const d = diffReplays(recorded, alt);
      console.log(`\nWith ${values.rules} (${alt.ruleSet.id} v${alt.ruleSet.version}): ${alt.alarms.length} alarms`);
      console.log(`Would have raised (${d.wouldRaise.length}):`);
      d.wouldRaise.forEach((a) => console.log(line(a)));
      console.log(`Would not have raised (${d.wouldNotRaise.length}):`);
      d.wouldNotRaise.forEach((a) => console.log(line(a)));
    }
    return 0;
  } catch (e) {
    console.error(`replay: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  } finally {
    await store.close();
  }
}

process.exit(await main());
