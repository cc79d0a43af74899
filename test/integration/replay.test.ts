import { defaultRuleSet, type Alarm, type IngestResult, type Result, type RuleSet } from '@infusion/shared';
import { ManualClock } from '@infusion/server';
import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteStore } from '../../server/src/persistence/store';
import { diffReplays, replaySession } from '../../server/src/replay/replay';
import { ROOT } from '../support/child';
import { logLongSession } from '../support/longSession';
import { api, connected, createSession, device, passingChecklist, startServer, type TestServer } from '../support/server';

const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);

/** SpO2 dips to 85 for 20 s at minute 5, HR spikes to 158 at minute 8; the rest is a calm infusion. */
function vitalsAt(sec: number) {
  const spo2 = sec >= 300 && sec < 320 ? 85 : 97 + (sec % 3 === 0 ? 1 : 0);
  const hr = sec >= 480 && sec < 485 ? 158 : 74 + (sec % 5);
  return { hr, sbp: 124 + (sec % 7), dbp: 78, map: 93, spo2, etco2: 37, rr: 14 };
}

describe('replay of a logged session', () => {
  let s: TestServer;
  let sessionId: string;
  const clock = new ManualClock(T0);

  beforeAll(async () => {
    s = await startServer({ clock, config: { SESSION_IDLE_MS: 24 * 3_600_000 } });
    sessionId = (await createSession(s.nurse)).id;
    const dev = device(s);
    await connected(dev);
    const send = async (from: number, to: number) => {
      for (let sec = from; sec < to; sec++) {
        clock.set(T0 + sec * 1000);
        const r = (await dev.emitWithAck('frames', [{ sessionId, seq: sec + 1, t: T0 + sec * 1000, ...vitalsAt(sec) }])) as Result<IngestResult>;
        if (!r.ok || r.data.accepted.length !== 1) throw new Error(JSON.stringify(r));
      }
    };
    await send(0, 60); // one minute of baseline
    await api(s.nurse, 'POST', `/api/sessions/${sessionId}/observations`, { scale: 'RASS', score: 0 });
    await api(s.nurse, 'POST', `/api/sessions/${sessionId}/observations`, { scale: 'NRS_PAIN', score: 6 });
    await api(s.nurse, 'PUT', `/api/sessions/${sessionId}/checklist`, passingChecklist());
    expect((await api(s.nurse, 'POST', `/api/sessions/${sessionId}/infusion`, { type: 'start', rateMgKgH: 0.5 })).status).toBe(201);
    await send(60, 12 * 60);
    dev.close();
  }, 120_000);
  afterAll(() => s.close());

  it('raises exactly the alarms the live server raised, and is deterministic', async () => {
    const live = (await api<{ alarms: Alarm[] }>(s.nurse, 'GET', `/api/sessions/${sessionId}`)).body.data.alarms;
    const db = new Database(s.dbPath, { readonly: true });
    const a = await replaySession(sqliteStore(db), sessionId);
    const b = await replaySession(sqliteStore(db), sessionId);
    db.close();
    expect(a).toEqual(b);
    const key = (ruleId: string, t: number) => `${ruleId}@${t}`;
    expect(new Set(a.alarms.map((x) => key(x.ruleId, x.t)))).toEqual(new Set(live.map((x) => key(x.ruleId, x.startedAt))));
    expect(a.alarms.map((x) => x.ruleId)).toEqual(expect.arrayContaining(['spo2.low.high', 'hr.high.high']));
    expect(a.alarms.find((x) => x.ruleId === 'spo2.low.high')!.t).toBe(T0 + 310_000);
    expect(a.events).toBe(12 * 60 + 3); // frames, two scores, the start
  });

  it('shows what another rule set would have raised or not', async () => {
    const lenient: RuleSet = {
      ...defaultRuleSet,
      rules: defaultRuleSet.rules.map((r) => (r.id === 'spo2.low.high' && r.kind === 'threshold' ? { ...r, limit: 84 } : r)),
    };
    const db = new Database(s.dbPath, { readonly: true });
    const d = diffReplays(await replaySession(sqliteStore(db), sessionId), await replaySession(sqliteStore(db), sessionId, lenient));
    db.close();
    expect(d.wouldNotRaise.map((x) => x.ruleId)).toEqual(['spo2.low.high']);
    expect(d.wouldRaise).toEqual([]);
  });

  it('runs as `npm run replay` with --rules and says what differs', async () => {
    const file = join(s.dir, 'lenient.json');
    writeFileSync(file, JSON.stringify({ ...defaultRuleSet, rules: defaultRuleSet.rules.map((r) => (r.id === 'spo2.low.high' ? { ...r, limit: 84 } : r)) }));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', join(ROOT, 'server/src/replay/cli.ts'), '--session', sessionId, '--db', s.dbPath, '--rules', file], { cwd: ROOT });
    expect(stdout).toMatch(new RegExp(`Session ${sessionId}: \\d+ events under rule set default v${defaultRuleSet.version}`));
    expect(stdout).toMatch(/Would not have raised \(1\):\n.*spo2\.low\.high\s+SpO2 85 < 88/);
    const bad = await promisify(execFile)(process.execPath, ['--import', 'tsx', join(ROOT, 'server/src/replay/cli.ts'), '--db', s.dbPath]).catch((e: { code: number; stderr: string }) => e);
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringContaining('--session is required') });
  });
});

describe('replay of a session whose monitor sent its first frame long after the start', () => {
  it('gives the live alarms, no-data from the infusion start included', async () => {
    const clock = new ManualClock(T0);
    const s = await startServer({ clock, config: { SESSION_IDLE_MS: 24 * 3_600_000 } });
    try {
      const id = (await createSession(s.nurse)).id;
      await api(s.nurse, 'POST', `/api/sessions/${id}/observations`, { scale: 'RASS', score: 0 });
      await api(s.nurse, 'POST', `/api/sessions/${id}/observations`, { scale: 'NRS_PAIN', score: 6 });
      await api(s.nurse, 'PUT', `/api/sessions/${id}/checklist`, passingChecklist());
      expect((await api(s.physician, 'POST', `/api/sessions/${id}/checklist/override`, { reason: 'monitor being replaced' })).status).toBe(200);
      expect((await api(s.physician, 'POST', `/api/sessions/${id}/infusion`, { type: 'start', rateMgKgH: 0.5 })).status).toBe(201);
      for (let sec = 1; sec <= 45; sec++) {
        clock.set(T0 + sec * 1000);
        s.app.tick();
      }
      const dev = device(s);
      await connected(dev);
      for (let sec = 46; sec < 120; sec++) {
        clock.set(T0 + sec * 1000);
        const r = (await dev.emitWithAck('frames', [{ sessionId: id, seq: sec, t: T0 + sec * 1000, ...vitalsAt(sec) }])) as Result<IngestResult>;
        if (!r.ok || r.data.accepted.length !== 1) throw new Error(JSON.stringify(r));
      }
      dev.close();
      const live = (await api<{ alarms: Alarm[] }>(s.nurse, 'GET', `/api/sessions/${id}`)).body.data.alarms;
      const db = new Database(s.dbPath, { readonly: true });
      const a = await replaySession(sqliteStore(db), id);
      db.close();
      expect(live.find((x) => x.ruleId === 'tech.no_data')).toMatchObject({ startedAt: T0 + 30_000 });
      expect(a.alarms.find((x) => x.ruleId === 'tech.no_data')).toMatchObject({ t: T0 + 30_000, clearedAt: T0 + 56_000 });
      expect(new Set(a.alarms.map((x) => `${x.ruleId}@${x.t}`))).toEqual(new Set(live.map((x) => `${x.ruleId}@${x.startedAt}`)));
    } finally {
      await s.close();
    }
  }, 60_000);
});

describe('replay of a long logged session', () => {
  it('gives the live alarms of a 4-hour session, identically on every run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infusion-long-'));
    const { app, sessionId, frames } = await logLongSession(dir, 4);
    try {
      // The last ticks' alarm transitions are committed once an op enqueued after them is.
      await app.queue.enqueue(() => {});
      // Every 'raised' the live server stored (a latched alarm raised again keeps its row, adds an event).
      const liveKeys = (
        app.db.prepare("SELECT json_extract(alarm, '$.ruleId') rule_id, at FROM alarm_events WHERE session_id = ? AND transition = 'raised'").all(sessionId) as { rule_id: string; at: number }[]
      ).map((r) => `${r.rule_id}@${r.at}`);
      const a = await replaySession(app.store, sessionId);
      const b = await replaySession(app.store, sessionId);
      expect(a.events).toBe(frames + 3);
      expect(JSON.stringify(a)).toBe(JSON.stringify(b));
      expect(liveKeys.length).toBeGreaterThanOrEqual(8);
      expect(new Set(a.alarms.map((x) => `${x.ruleId}@${x.t}`))).toEqual(new Set(liveKeys));
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
