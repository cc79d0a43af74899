import type { ChecklistRecord, InfusionEvent, Observation, Patient, PatientRecord, RescueDose, Session } from '@infusion/shared';
import { runSimulation, silentLogger, type SimulationHandle } from '@infusion/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { api, startServer, type TestServer } from '../support/server';

type Detail = { session: Session; infusionEvents: InfusionEvent[]; observations: Observation[]; checklist: ChecklistRecord | null; rescueDoses: RescueDose[] };

const waitFor = async (cond: () => Promise<boolean>, what: string, timeoutMs = 20_000) => {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

/**
 * The simulated patient against the real server, as the demo runs it: scripted drugs are documented
 * as rescue doses, sedation and pain are scored during the infusion (so the sedation rules and the
 * observation schedule get their input), and a patient who fails the checklist is not started.
 */
describe('simulated patient through the real server', () => {
  let s: TestServer;
  let run: SimulationHandle | null = null;
  afterEach(async () => {
    await run?.stop();
    run = null;
    await s.close();
  });

  it('documents the scripted midazolam, scores sedation and pain as it goes, and never starts a patient who fails the checklist', async () => {
    s = await startServer();
    // 600x with a frame every 200 ms: two scenario minutes per frame.
    run = await runSimulation({
      url: s.url,
      sessions: 2,
      speed: 600,
      frameIntervalMs: 200,
      scenarios: ['desaturation', 'checklist-fail'],
      headers: s.trainer.headers,
      auth: { deviceKey: s.simDeviceKey },
      log: silentLogger,
      endSessionsOnStop: false,
    });
    const [desat, failing] = run.sessions;
    const detail = async (id: string) => (await api<Detail>(s.trainer, 'GET', `/api/sessions/${id}`)).body.data;
    await waitFor(async () => (await detail(desat!.sessionId)).rescueDoses.length > 0, 'the scripted midazolam');
    await waitFor(async () => (await detail(desat!.sessionId)).observations.filter((o) => o.scale === 'RASS').length >= 3, 'sedation scores during the infusion');

    const d = await detail(desat!.sessionId);
    expect(d.session.simulated).toBe(true);
    const [dose] = d.rescueDoses;
    expect(dose).toMatchObject({ drugId: 'midazolam', route: 'IV' });
    // 0.05 mg/kg of the patient's weight, drawn up to the 0.1 mg below.
    expect(dose!.doseMg).toBeCloseTo(Math.floor(0.05 * desat!.weightKg * 10) / 10, 6);
    expect(dose!.note).toMatch(/simulated; dose: Formulary example 0\.03-0\.05 mg\/kg/);
    expect(d.infusionEvents[0]).toMatchObject({ type: 'start', rateMgKgH: 1 });
    expect(d.checklist?.result.passed).toBe(true);
    const scores = d.observations.filter((o) => o.scale === 'RASS').map((o) => o.score);
    expect(scores.every((x) => Number.isInteger(x) && x >= -5 && x <= 4)).toBe(true);
    expect(d.observations.some((o) => o.scale === 'NRS_PAIN')).toBe(true);

    await waitFor(async () => (await detail(failing!.sessionId)).checklist !== null, 'the failing checklist');
    const f = await detail(failing!.sessionId);
    expect(f.checklist!.result.passed).toBe(false);
    expect(f.checklist!.result.items.find((i) => i.id === 'contraindication.poorly_controlled_hypertension')).toMatchObject({ ok: false });
    expect(f.infusionEvents).toEqual([]);
    expect(run.stats().infusionEventsFailed).toBe(0);
  });

  it('keeps the same simulated patient per bed across runs, so repeated runs build a series on the patient page', async () => {
    s = await startServer();
    const simulate = () => runSimulation({ url: s.url, sessions: 2, speed: 60, frameIntervalMs: 200, scenarios: ['stable'], headers: s.trainer.headers, auth: { deviceKey: s.simDeviceKey }, log: silentLogger });
    run = await simulate();
    const first = run.sessions.map((x) => ({ ref: x.patientRef, id: x.sessionId }));
    await run.stop();
    run = await simulate();
    const second = run.sessions.map((x) => ({ ref: x.patientRef, id: x.sessionId }));
    expect(first.map((x) => x.ref)).toEqual(['SIM-PT-01', 'SIM-PT-02']);
    expect(second.map((x) => x.ref)).toEqual(['SIM-PT-01', 'SIM-PT-02']);
    for (const [i, { ref }] of first.entries()) {
      const [patient, ...others] = (await api<Patient[]>(s.trainer, 'GET', `/api/patients?q=${ref}`)).body.data;
      expect(others).toEqual([]);
      expect(patient).toMatchObject({ sitePatientId: ref, simulated: true });
      const record = (await api<PatientRecord>(s.trainer, 'GET', `/api/patients/${patient!.id}`)).body.data;
      expect(record.sessions.map((x) => x.sessionId).sort()).toEqual([first[i]!.id, second[i]!.id].sort());
    }
  });
});
