import { sitePatientIdSchema, vitalsFrameSchema, type VitalsFrame } from '@infusion/shared';
import { afterEach, describe, expect, it } from 'vitest';
import type { SimLogger } from './log';
import { runSimulation, simPatientRef, type SimulationHandle } from './runner';
import { SCENARIOS } from './scenarios';
import { FakeServer, waitFor } from './testing/fake-server';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

function recordingLog() {
  const lines: string[] = [];
  const log: SimLogger = { info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`) };
  return { lines, log };
}

async function start(opts: { sessions: number; speed?: number; durationS?: number; signal?: AbortSignal }) {
  const server = await FakeServer.start();
  cleanup.push(() => server.close());
  const { lines, log } = recordingLog();
  // Wrap the frame hook to check timestamps against the wall clock on arrival.
  const frameTimes: { t: number; arrivedAt: number }[] = [];
  server.behaviour = (frames) => {
    for (const f of frames as VitalsFrame[]) frameTimes.push({ t: f.t, arrivedAt: Date.now() });
    return { kind: 'ack' };
  };
  const handle = await runSimulation({ url: server.url, frameIntervalMs: 100, log, ...opts });
  cleanup.push(() => handle.stop());
  return { server, handle, lines, frameTimes };
}

const byId = (server: FakeServer, h: SimulationHandle, label: string) => {
  const info = h.sessions.find((s) => s.patientLabel === label)!;
  return { info, session: server.sessions.find((s) => s.id === info.sessionId)! };
};

describe('runSimulation', () => {
  it('creates simulated sessions with plausible patients and settings that fit their rates', async () => {
    const { server, handle } = await start({ sessions: 5 });
    expect(server.sessions.map((s) => s.patientLabel)).toEqual(['SIM-01', 'SIM-02', 'SIM-03', 'SIM-04', 'SIM-05']);
    expect(server.sessions.map((s) => s.location)).toEqual(['Chair 1', 'Chair 2', 'Chair 3', 'Chair 4', 'Chair 5']);
    expect(server.sessions.every((s) => s.simulated)).toBe(true);
    expect(handle.sessions.map((s) => s.scenario)).toEqual(['stable', 'desaturation', 'hypertensive', 'tachycardia', 'stable']);
    for (const s of handle.sessions) {
      const scenario = SCENARIOS[s.scenario as keyof typeof SCENARIOS];
      expect(s.setting).toBe(scenario.setting);
      expect(s.weightKg).toBeGreaterThanOrEqual(scenario.patient.weightKg[0]);
      expect(s.weightKg).toBeLessThanOrEqual(scenario.patient.weightKg[1]);
      expect(s.ageYears).toBeGreaterThanOrEqual(18);
    }
    expect(byId(server, handle, 'SIM-03').session.setting).toBe('monitored_unit');
  });

  it('sends a stable simulated patient per bed, so a second run after the first joins the same patients', async () => {
    const { server, handle } = await start({ sessions: 3 });
    expect(server.sessions.map((s) => s.patientRef)).toEqual(['SIM-PT-01', 'SIM-PT-02', 'SIM-PT-03']);
    expect(handle.sessions.map((s) => s.patientRef)).toEqual(['SIM-PT-01', 'SIM-PT-02', 'SIM-PT-03']);
    await handle.stop();
    const again = await runSimulation({ url: server.url, sessions: 2, frameIntervalMs: 100, log: recordingLog().log });
    cleanup.push(() => again.stop());
    expect(again.sessions.map((s) => s.patientRef)).toEqual(['SIM-PT-01', 'SIM-PT-02']);
    // A run beside one still going takes the next free beds, and their patients.
    const beside = await runSimulation({ url: server.url, sessions: 1, frameIntervalMs: 100, log: recordingLog().log });
    cleanup.push(() => beside.stop());
    expect(beside.sessions.map((s) => [s.patientLabel, s.patientRef])).toEqual([['SIM-03', 'SIM-PT-03']]);
  });

  it('names the simulated patient from the unit and bed, as a valid site patient id', () => {
    expect(simPatientRef(undefined, 7)).toBe('SIM-PT-07');
    expect(simPatientRef('ward-b', 12)).toBe('SIM-PT-ward-b-12');
    expect(simPatientRef('Ward B (east)', 1)).toBe('SIM-PT-Ward-B-east-01');
    expect(simPatientRef('  ', 1)).toBe('SIM-PT-01');
    const long = simPatientRef('x'.repeat(200), 999);
    expect(long.length).toBeLessThanOrEqual(64);
    for (const id of [long, simPatientRef('Ward B (east)', 1), simPatientRef('éé', 3)]) expect(sitePatientIdSchema.safeParse(id).success, id).toBe(true);
  });

  it('streams one frame per session per interval, seq from 1 without gaps, stamped with the wall clock', async () => {
    const startedAt = Date.now();
    const { server, handle, frameTimes } = await start({ sessions: 3 });
    await waitFor(() => handle.sessions.every((s) => server.committedSeqs(s.sessionId).length >= 8), 5_000, 'frames');
    for (const s of handle.sessions) {
      const seqs = server.committedSeqs(s.sessionId);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
      for (const f of server.committed.get(s.sessionId)!) expect(vitalsFrameSchema.safeParse(f).success).toBe(true);
      // One frame per tick, in time order (the spacing itself is a timing figure: on a loaded machine timers bunch).
      const ts = server.committed.get(s.sessionId)!.map((f) => f.t);
      for (let i = 1; i < ts.length; i++) expect(ts[i]!).toBeGreaterThan(ts[i - 1]!);
    }
    // Stamped with the wall clock: after the run began, never after the frame arrived.
    expect(frameTimes.every((f) => f.t >= startedAt && f.t <= f.arrivedAt)).toBe(true);
    expect(handle.stats().device).toMatchObject({ rejected: 0, resent: 0 });
  });

  it('plays each scenario through the REST API at its scenario minutes, accelerated by speed', async () => {
    // Speed 600: ten scenario minutes per real second.
    const { server, handle } = await start({ sessions: 4, speed: 600 });
    const tachy = byId(server, handle, 'SIM-04');
    await waitFor(() => tachy.session.infusionEvents.length >= 3, 5_000, 'tachycardia events');
    expect(tachy.session.infusionEvents.map((e) => e.type)).toEqual(['start', 'bolus', 'rate_change']);
    // Before the first start: sedation and pain scored by the virtual assessor (a calm patient in pain),
    // the order written for the plan, checklist answered for its highest rate.
    const [rass, nrs, order, checklist] = tachy.session.preparation;
    expect(rass).toMatch(/^RASS (-1|0|1)$/);
    expect(nrs).toMatch(/^NRS_PAIN [4-8]$/);
    expect([order, checklist]).toEqual(['order 0.75-1 bolus 0.26', 'checklist 1']);
    // Then sedation and pain every 10 scenario minutes while the infusion runs (the sedation-due rule's input).
    await waitFor(() => tachy.session.preparation.length >= 6, 5_000, 'scores during the infusion');
    expect(tachy.session.preparation.slice(4, 6).map((p) => p.split(' ')[0])).toEqual(['RASS', 'NRS_PAIN']);
    const [begin, bolus, change] = tachy.session.infusionEvents;
    expect(begin).toMatchObject({ rateMgKgH: 0.75 });
    expect(bolus).toMatchObject({ doseMg: Math.round(0.25 * tachy.info.weightKg * 10) / 10 });
    expect(change).toMatchObject({ rateMgKgH: 1 });
    // Minute 8 at 10 scenario minutes per second: about 0.8 s of real time after the first frame
    // (the start itself waits for the pre-infusion steps, so it is not the reference).
    const firstFrameAt = Math.min(...server.batches.map((b) => b.at));
    const bolusDelay = bolus!.receivedAt - firstFrameAt;
    expect(bolusDelay).toBeGreaterThan(600);
    // Accelerated: minutes of scenario in about a second (real time would be 8 minutes); loose, as timers bunch on a loaded machine.
    expect(bolusDelay).toBeLessThan(10_000);
    expect(handle.stats().scenarioMin).toBeGreaterThan(9);
    for (const s of server.sessions) expect(s.infusionEvents[0]?.type).toBe('start');
  });

  it('stop() stops running infusions, delivers every frame, ends the sessions and settles done', async () => {
    const { server, handle } = await start({ sessions: 2 });
    await waitFor(() => server.batches.length >= 4, 5_000, 'frames');
    const final = await handle.stop();
    expect(await handle.done).toEqual(final);
    expect(await handle.stop()).toBe(final); // idempotent
    for (const s of server.sessions) {
      expect(s.status).toBe('ended');
      expect(s.infusionEvents.at(-1)).toMatchObject({ type: 'stop', note: 'Simulation stopped' });
    }
    expect(final.device.pending).toBe(0);
    expect(final.framesGenerated).toBe(final.device.accepted);
    const framesAtStop = server.batches.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(server.batches.length).toBe(framesAtStop);
  });

  it('can leave the sessions open, and stops on its duration or an abort signal', async () => {
    const { server, handle } = await start({ sessions: 1, durationS: 0.3 });
    const final = await handle.done;
    expect(final.elapsedS).toBeGreaterThanOrEqual(0.3);
    expect(server.sessions[0]!.status).toBe('ended');

    const abort = new AbortController();
    const second = await start({ sessions: 1, signal: abort.signal });
    abort.abort();
    await second.handle.done;
    expect(second.server.sessions[0]!.status).toBe('ended');

    const third = await start({ sessions: 1 });
    await third.handle.stop({ endSessions: false });
    expect(third.server.sessions[0]!.status).toBe('active');
    expect(third.server.sessions[0]!.infusionEvents.map((e) => e.type)).toEqual(['start']);
  });

  it('stops streaming a session whose frames the server keeps refusing, and keeps the others going', async () => {
    const { server, handle, lines } = await start({ sessions: 2 });
    const refused = handle.sessions[0]!.sessionId;
    // The server now refuses every frame of the first session (as a real one refuses an ended session).
    server.behaviour = (frames) => {
      for (const f of frames as VitalsFrame[]) if (f.sessionId === refused) f.hr = 999;
      return { kind: 'ack' };
    };
    await waitFor(() => lines.some((l) => l.includes('no more frames for this session')), 5_000, 'give up');
    expect(lines.find((l) => l.startsWith('error SIM-01'))).toMatch(/refused 10 frames/);
    const before = server.committedSeqs(handle.sessions[1]!.sessionId).length;
    const batchesOfRefused = () => server.batches.filter((b) => b.sessionIds[0] === refused).length;
    const refusedBatches = batchesOfRefused();
    await new Promise((r) => setTimeout(r, 400));
    expect(batchesOfRefused()).toBe(refusedBatches);
    expect(server.committedSeqs(handle.sessions[1]!.sessionId).length).toBeGreaterThan(before);
    expect(lines.filter((l) => l.includes('frame rejected')).length).toBe(10);
  });

  it("fails with the server's reason when a session cannot be created, and ends the ones that were", async () => {
    const server = await FakeServer.start();
    cleanup.push(() => server.close());
    server.failCreate.add('SIM-02');
    const { log } = recordingLog();
    await expect(runSimulation({ url: server.url, sessions: 3, log })).rejects.toThrow(
      'cannot create simulated sessions: POST /api/sessions failed with 409: location Chair 2 is busy',
    );
    expect(server.sessions).toHaveLength(2);
    expect(server.sessions.every((s) => s.status === 'ended')).toBe(true);
    expect(server.batches).toHaveLength(0);
  });

  it('refuses nonsense options before touching the server', async () => {
    await expect(runSimulation({ url: 'http://127.0.0.1:1', sessions: 0 })).rejects.toThrow(/sessions must be an integer/);
    await expect(runSimulation({ url: 'http://127.0.0.1:1', sessions: 1, speed: 0 })).rejects.toThrow(/speed must be a positive number/);
    await expect(runSimulation({ url: 'http://127.0.0.1:1', sessions: 1, scenarios: ['nope' as 'stable'] })).rejects.toThrow(/unknown scenario "nope"/);
  });
});
