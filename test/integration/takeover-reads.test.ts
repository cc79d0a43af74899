import type { IngestResult, Result, Session } from '@infusion/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderRepo } from '../../server/src/care/orderRepo';
import { readCareRecords } from '../../server/src/persistence/careRecordRepo';
import { escalationsForTakeover } from '../../server/src/persistence/escalationReadRepo';
import { IDS_PER_STATEMENT } from '../../server/src/persistence/idChunks';
import { AlarmRepo } from '../../server/src/persistence/alarmRepo';
import { ObservationRepo } from '../../server/src/persistence/observationRepo';
import { readRuleInputs, TREATMENT_WINDOW_MS } from '../../server/src/persistence/ruleInputsRepo';
import { SessionRepo } from '../../server/src/persistence/sessionRepo';
import { VitalsRepo } from '../../server/src/persistence/vitalsRepo';
import { api, connected, createSession, device, prepareStart, startServer, writeOrder, type TestServer } from '../support/server';
import { until } from '../support/until';

/**
 * A node taking sessions over reads them all in one statement per table (not some eight queries per
 * session): each batched read must return, per session, exactly what the per-session read returns,
 * on SQLite and (integration-pg) PostgreSQL. Sessions: `full` (a patient with an earlier infusion, a
 * checklist, two order versions, scores, a rescue dose, frames with NIBP, an open high alarm with its
 * escalation and a medium one), `bare` (frames without NIBP, nothing documented), `quiet` (no frame:
 * no stored engine state to resume from), `ended` (ended meanwhile).
 */
describe('the reads of a takeover, batched over the sessions taken', () => {
  let s: TestServer;
  let full: Session;
  let bare: Session;
  let quiet: Session;
  let ended: Session;
  let earlier: Session;
  let t0: number;
  let sessions: SessionRepo;
  let vitals: VitalsRepo;
  let alarms: AlarmRepo;
  let observations: ObservationRepo;

  const send = async (sessionId: string, frames: { seq: number; t: number; hr?: number; sbp?: number; spo2?: number }[]) => {
    const dev = device(s);
    await connected(dev);
    const r = (await dev.emitWithAck('frames', frames.map((f) => ({ sessionId, ...f })))) as Result<IngestResult>;
    dev.close();
    expect(r.ok && r.data.accepted).toEqual(frames.map((f) => f.seq));
  };

  beforeAll(async () => {
    s = await startServer();
    sessions = new SessionRepo(s.app.store);
    vitals = new VitalsRepo(s.app.store);
    alarms = new AlarmRepo(s.app.store);
    observations = new ObservationRepo(s.app.store);
    t0 = Date.now();
    const patient = await api<{ id: number }>(s.nurse, 'POST', '/api/patients', { sitePatientId: `TK-${t0}`, yearOfBirth: 1970 });
    expect(patient.status).toBe(201);
    const patientId = patient.body.data.id;
    // The patient's earlier infusion, given and ended: one treatment before `full`.
    earlier = await createSession(s.nurse, { patientId });
    await prepareStart(s, s.nurse, earlier.id, t0);
    expect((await api(s.nurse, 'POST', `/api/sessions/${earlier.id}/infusion`, { type: 'start', rateMgKgH: 0.5 })).status).toBe(201);
    expect((await api(s.nurse, 'POST', `/api/sessions/${earlier.id}/infusion`, { type: 'stop' })).status).toBe(201);
    expect((await api(s.nurse, 'POST', `/api/sessions/${earlier.id}/end`, { reason: 'course finished for today' })).status).toBe(200);

    full = await createSession(s.nurse, { patientId });
    await writeOrder(s.physician, full.id);
    await writeOrder(s.physician, full.id, { rateMaxMgKgH: 0.8 });
    await prepareStart(s, s.nurse, full.id, t0, 0.5);
    await api(s.nurse, 'POST', `/api/sessions/${full.id}/observations`, { scale: 'RASS', score: -1 });
    expect((await api(s.nurse, 'POST', `/api/sessions/${full.id}/infusion`, { type: 'start', rateMgKgH: 0.5 })).status).toBe(201);
    // HR > 150: a high alarm at once (escalated at once); SpO2 low for long enough: more alarms.
    await send(full.id, [
      { seq: 1, t: t0 + 1000, hr: 80, sbp: 120 },
      { seq: 2, t: t0 + 2000, hr: 165 },
      { seq: 3, t: t0 + 3000, hr: 166, sbp: 118 },
      { seq: 4, t: t0 + 4000, hr: 167 },
    ]);
    expect((await api(s.physician, 'POST', `/api/sessions/${full.id}/rescue`, { drugId: 'midazolam', doseMg: 2, note: 'emergence reaction' })).status).toBe(201);

    bare = await createSession(s.nurse);
    await send(bare.id, [
      { seq: 1, t: t0 + 1500, hr: 70 },
      { seq: 2, t: t0 + 2500, hr: 71 },
      { seq: 3, t: t0 + 3500, hr: 72 },
    ]);
    quiet = await createSession(s.nurse);
    ended = await createSession(s.nurse);
    await send(ended.id, [{ seq: 1, t: t0 + 1000, hr: 60 }]);
    expect((await api(s.nurse, 'POST', `/api/sessions/${ended.id}/end`, { reason: 'patient declined the infusion' })).status).toBe(200);
    // The high alarm's escalation is written after the alarm: wait for both.
    await until('the high alarm of the full session escalated', async () => (await s.app.store.db.selectFrom('escalations').select('id').where('session_id', '=', full.id).execute()).length > 0);
  }, 60_000);
  afterAll(() => s?.close());

  const ids = () => [full.id, bare.id, quiet.id, ended.id, 's_never_stored'];

  it('reads the sessions and their infusion events as the per-session reads do, ended and unknown ones included', async () => {
    const [many, events] = await Promise.all([sessions.getMany(ids()), sessions.eventsOf(ids())]);
    for (const id of ids()) {
      expect(many.get(id) ?? null).toEqual(await sessions.get(id));
      expect(events.get(id)).toEqual(await sessions.events(id));
    }
    expect(many.get(ended.id)?.status).toBe('ended');
    expect(many.has('s_never_stored')).toBe(false);
    expect(events.get(full.id)!.map((e) => e.type)).toEqual(['start']);

    // Through the session service: a live session is updated in place, an ended one is read as ended.
    const reads = await s.app.sessions.readStoredAll(ids());
    expect(reads.get(full.id)).toMatchObject({ stored: { id: full.id, status: 'active' }, fresh: null });
    expect(reads.get(full.id)!.events).toHaveLength(1);
    expect(reads.get(ended.id)).toMatchObject({ stored: { status: 'ended' }, events: [], fresh: null });
    expect(reads.get('s_never_stored')).toEqual({ stored: null, events: [], fresh: null });
  });

  it("reads only the taken sessions' unresolved alarms, and their open escalations and which high alarms were escalated", async () => {
    const taken = ids();
    const open = await alarms.unresolvedOf(taken);
    const all = await alarms.unresolved();
    expect(open).toEqual(all.filter((a) => taken.includes(a.sessionId)));
    expect(open.filter((a) => a.sessionId === full.id).map((a) => a.priority)).toContain('high');
    // Another session's alarms are not the taken sessions'.
    expect(await alarms.unresolvedOf([bare.id, quiet.id])).toEqual(all.filter((a) => a.sessionId === bare.id || a.sessionId === quiet.id));

    const highs = open.filter((a) => a.priority === 'high').map((a) => a.id);
    const esc = await escalationsForTakeover(s.app.store, taken, [...highs, 999_999]);
    const stored = await s.app.store.db.selectFrom('escalations').select(['alarm_id', 'state', 'session_id']).execute();
    expect(esc.open.map((e) => e.alarmId).sort()).toEqual(stored.filter((r) => r.state === 'open' && taken.includes(r.session_id)).map((r) => Number(r.alarm_id)).sort());
    expect(esc.open.length).toBeGreaterThan(0);
    expect([...esc.escalated].sort()).toEqual(highs.filter((id) => stored.some((r) => Number(r.alarm_id) === id)).sort());
    expect(esc.escalated.has(999_999)).toBe(false);
  });

  it("reads the frames after each session's own resume time, as many as the per-session read, and none for a session without frames", async () => {
    const after = [
      { sessionId: full.id, t: t0 + 2000 },
      { sessionId: bare.id, t: t0 },
      { sessionId: quiet.id, t: t0 },
    ];
    const each = await vitals.framesAfterEach(after, 3600);
    for (const a of after) expect(each.get(a.sessionId)).toEqual(await vitals.framesAfter(a.sessionId, a.t, 3600));
    expect(each.get(full.id)!.map((f) => f.t)).toEqual([t0 + 3000, t0 + 4000]);
    expect(each.get(bare.id)!.map((f) => f.hr)).toEqual([70, 71, 72]);
    expect(each.get(quiet.id)).toEqual([]);
    // The per-session bound holds: the oldest frames first.
    expect((await vitals.framesAfterEach([{ sessionId: bare.id, t: t0 }], 2)).get(bare.id)!.map((f) => f.hr)).toEqual([70, 71]);
  });

  it("reads the rules' other inputs (scores, last frame, last NIBP, earlier treatments) as the per-session reads do", async () => {
    const taken = [full.id, bare.id, quiet.id];
    const stored = await Promise.all(taken.map(async (id) => (await sessions.get(id))!));
    const inputs = await readRuleInputs({ sessions, vitals, observations }, stored, new Set([bare.id]));
    for (const st of stored) {
      const got = inputs.get(st.id)!;
      expect(got.observations).toEqual(await observations.list(st.id));
      expect(got.lastFrame).toEqual(await vitals.lastFrame(st.id));
      expect(got.lastNibpAt).toEqual(await vitals.lastNibpAt(st.id));
      const before = st.patientId === null ? 0 : await sessions.infusionsGivenSince(st.patientId, st.createdAt - TREATMENT_WINDOW_MS, st.id);
      expect(got.treatments).toBe(before + 1);
    }
    expect(inputs.get(full.id)).toMatchObject({ treatments: 2, lastNibpAt: t0 + 3000, lastFrame: { t: t0 + 4000 }, infusionEvents: null });
    expect(inputs.get(full.id)!.observations.map((o) => o.scale)).toEqual(['RASS', 'NRS_PAIN', 'RASS']);
    expect(inputs.get(bare.id)).toMatchObject({ treatments: 1, lastNibpAt: null, lastFrame: { t: t0 + 3500 }, infusionEvents: [] });
    expect(inputs.get(quiet.id)).toEqual({ observations: [], lastNibpAt: null, treatments: 1, lastFrame: null, infusionEvents: null });
  });

  it('reads the care records (checklist, current order, rescue doses) as the per-session reads do', async () => {
    const taken = [full.id, bare.id, quiet.id, ended.id];
    const records = await readCareRecords(s.app.store, taken);
    const orders = new OrderRepo(s.app.store);
    for (const id of taken) {
      expect(records.get(id)).toEqual({ checklist: await s.app.care.checklist(id), order: await orders.current(id), rescue: await s.app.care.rescueDoses(id) });
    }
    expect(records.get(full.id)!.order).toMatchObject({ version: 2, rateMaxMgKgH: 0.8 });
    expect(records.get(full.id)!.checklist?.result.passed).toBe(true);
    expect(records.get(full.id)!.rescue.map((d) => d.drugId)).toEqual(['midazolam']);
    expect(records.get(bare.id)).toEqual({ checklist: null, order: null, rescue: [] });
  });

  it('splits a long id list into statements of 500 and reads each id once', async () => {
    // More ids than one statement takes, the taken sessions among them at both ends of the chunks.
    const many = [full.id, ...Array.from({ length: IDS_PER_STATEMENT * 2 + 7 }, (_, i) => `s_absent_${i}`), bare.id];
    const [got, open, records] = await Promise.all([sessions.getMany(many), alarms.unresolvedOf(many), readCareRecords(s.app.store, many)]);
    expect([...got.keys()].sort()).toEqual([full.id, bare.id].sort());
    expect(open).toEqual(await alarms.unresolvedOf([full.id, bare.id]));
    expect(records.size).toBe(many.length);
    expect(records.get(full.id)!.order?.version).toBe(2);
    // No ids: no statement, nothing read.
    expect((await sessions.getMany([])).size).toBe(0);
    expect((await vitals.framesAfterEach([], 10)).size).toBe(0);
  });
});
