import type { AckTimeBin, Alarm, AlarmTimeline, IngestResult, Result } from '@infusion/shared';
import { ManualClock } from '@infusion/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { api, connected, createSession, dashboard, device, deviceKeyFor, startServer, type TestServer } from '../support/server';

const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);
type Report = {
  sessions: number;
  sessionHours: number;
  alarms: number;
  alarmsPerSessionHour: number;
  byPriority: Record<string, { count: number; medianAckS: number | null; p90AckS: number | null }>;
  noisiestRules: { ruleId: string; count: number; perSessionHour: number; acknowledged: number; medianAckS: number | null }[];
  escalations: { level1: number; level2: number; acknowledged: number };
  timeline: AlarmTimeline;
  ackTimes: AckTimeBin[];
};

describe('alarm report per unit and period', () => {
  let s: TestServer;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = new ManualClock(T0);
    s = await startServer({ clock, config: { SESSION_IDLE_MS: 24 * 3_600_000 } });
  });
  afterEach(() => s.close());

  const frame = async (sessionId: string, seq: number, v: Record<string, number>) => {
    // A simulated session is fed by the simulator device, a real one by the real device.
    const dev = device({ url: s.url, deviceKey: deviceKeyFor(s, sessionId) });
    await connected(dev);
    const r = (await dev.emitWithAck('frames', [{ sessionId, seq, t: clock.now(), ...v }])) as Result<IngestResult>;
    dev.close();
    expect(r.ok).toBe(true);
  };

  it('counts alarms per session-hour by rule and priority, with time to acknowledge and escalations', async () => {
    const a = await createSession(s.nurse);
    const b = await createSession(s.nurse);
    const sim = await createSession(s.trainer, { simulated: true });
    const dash = dashboard(s.nurse);
    await connected(dash);
    await dash.emitWithAck('subscribe', {});

    clock.set(T0 + 60_000);
    await frame(a.id, 1, { hr: 160 });
    await frame(b.id, 1, { hr: 170 });
    await frame(sim.id, 1, { hr: 170 });
    clock.set(T0 + 90_000);
    // With HR and a respiratory reading: a frame without them 30 s on would say those signals are absent.
    await frame(a.id, 2, { sbp: 200, dbp: 100, hr: 160, rr: 14, etco2: 38 });
    const alarms = (await api<{ alarms: Alarm[] }>(s.nurse, 'GET', `/api/sessions/${a.id}`)).body.data.alarms;
    const hrA = alarms.find((x) => x.ruleId === 'hr.high.high')!;
    clock.set(T0 + 60_000 + 30_000);
    await dash.emitWithAck('alarm:acknowledge', { alarmId: hrA.id });
    const hrB = (await api<{ alarms: Alarm[] }>(s.nurse, 'GET', `/api/sessions/${b.id}`)).body.data.alarms[0]!;
    clock.set(T0 + 60_000 + 50_000);
    await dash.emitWithAck('alarm:acknowledge', { alarmId: hrB.id });
    dash.close();

    clock.set(T0 + 2 * 3_600_000);
    const r = await api<Report>(s.physician, 'GET', `/api/reports/alarms?unit=infusion-suite&from=${T0}&to=${T0 + 2 * 3_600_000}`);
    expect(r.status).toBe(200);
    const rep = r.body.data;
    expect(rep.sessions).toBe(2); // the simulated session is left out by default
    expect(rep.sessionHours).toBe(4);
    // HR 160 in A also breaks the medium limit (120) for the 10 s delay: judged at A's next frame.
    expect(rep.alarms).toBe(4);
    expect(rep.alarmsPerSessionHour).toBe(1);
    expect(rep.byPriority.high).toMatchObject({ count: 3, medianAckS: 40, p90AckS: 48 });
    expect(rep.byPriority.medium).toMatchObject({ count: 1, medianAckS: null });
    expect(rep.noisiestRules[0]).toMatchObject({ ruleId: 'hr.high.high', count: 2, perSessionHour: 0.5, acknowledged: 2, medianAckS: 40 });
    expect(rep.escalations).toEqual({ level1: 3, level2: 0, acknowledged: 0 });

    const withSim = await api<Report>(s.physician, 'GET', `/api/reports/alarms?unit=infusion-suite&from=${T0}&to=${T0 + 2 * 3_600_000}&includeSimulated=true`);
    expect(withSim.body.data.alarms).toBe(5);

    // The charts' data: per hour, by priority, the simulated session's alarm apart; time to acknowledge in bins.
    const counts = (c: Record<string, number>) => [c.high, c.medium, c.low];
    expect(withSim.body.data.timeline).toMatchObject({ bucket: 'hour', tz: 'UTC' });
    expect(withSim.body.data.timeline.buckets.map((b) => [b.start - T0, ...counts(b.real), ...counts(b.simulated)])).toEqual([
      [0, 3, 1, 0, 1, 0, 0],
      [3_600_000, 0, 0, 0, 0, 0, 0],
    ]);
    const bins = Object.fromEntries(withSim.body.data.ackTimes.map((b) => [b.label, [...counts(b.real), ...counts(b.simulated)]]));
    expect(bins['30–60 s']).toEqual([2, 0, 0, 0, 0, 0]);
    expect(bins['Not acknowledged']).toEqual([1, 1, 0, 1, 0, 0]);
    expect(rep.timeline.buckets[0]!.simulated).toEqual({ high: 0, medium: 0, low: 0 });

    // Local hours of the reader's zone: India is UTC+5:30, so the hour buckets start at :30 UTC.
    const india = await api<Report>(s.physician, 'GET', `/api/reports/alarms?unit=infusion-suite&from=${T0}&to=${T0 + 2 * 3_600_000}&tz=Asia%2FKolkata`);
    expect(india.body.data.timeline.buckets.map((b) => b.start - T0)).toEqual([0, 1_800_000, 5_400_000]);
  });

  it('is for physicians of the unit and admins, and names bad query fields', async () => {
    expect((await api(s.nurse, 'GET', `/api/reports/alarms?unit=infusion-suite&from=0&to=1`)).status).toBe(403);
    expect((await api(s.physician, 'GET', `/api/reports/alarms?unit=ward-b&from=0&to=1`)).status).toBe(403);
    expect((await api(s.admin, 'GET', `/api/reports/alarms?unit=ward-b&from=0&to=1`)).status).toBe(200);
    const bad = await api(s.admin, 'GET', `/api/reports/alarms?unit=x&from=abc&to=1`);
    expect(bad.status).toBe(400);
    expect(bad.body.fields![0]!.field).toBe('from');
    const zone = await api(s.admin, 'GET', `/api/reports/alarms?unit=x&from=0&to=1&tz=Mars%2FOlympus`);
    expect(zone.status).toBe(400);
    expect(zone.body.fields).toEqual([{ field: 'tz', reason: 'must be an IANA time zone such as Europe/Berlin' }]);
  });
});
