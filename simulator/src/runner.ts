import { CONTRAINDICATIONS, type CareSetting, type ChecklistInput, type ContraindicationId, type InfusionEventInput, type OrderInput, type SimDrug, type VitalsFrame } from '@infusion/shared';
import { ApiError, InfusionApi } from './api';
import { DeviceClient, type DeviceStats } from './device';
import { errorText, consoleLogger, type SimLogger } from './log';
import { SimulatedPatient, type GivenDrug } from './patient';
import { toFrame } from './physiology';
import { createRng, deriveSeed } from './random';
import { DEFAULT_SCENARIO_ORDER, resolveScenario, type Scenario, type ScenarioInput, type ScenarioName } from './scenarios';

export interface RunSimulationOptions {
  /** Server base URL, e.g. http://localhost:3000. */
  url: string;
  /** Number of simulated sessions (patients). */
  sessions: number;
  /** Scenario clock speed: minutes of drug effect per real minute. Frames still go out once a real second. Default 1. */
  speed?: number;
  /** Scenarios assigned round-robin; default stable, desaturation, hypertensive, tachycardia. */
  scenarios?: readonly (ScenarioName | ScenarioInput)[];
  /** Same seed, same patients and vitals. Default 1. */
  seed?: number;
  /** Stop (and end the sessions) after this many real seconds; default: run until stopped. */
  durationS?: number;
  /** Aborting stops the run like stop(). */
  signal?: AbortSignal;
  log?: SimLogger;
  /** Extra HTTP headers on every REST call (credentials). */
  headers?: Record<string, string>;
  /** Socket.IO handshake auth for the device connection (credentials). */
  auth?: Record<string, unknown>;
  ackTimeoutMs?: number;
  /** Real milliseconds between frames of one session. Default 1000 (one frame a second). */
  frameIntervalMs?: number;
  /** End the sessions when the run stops. Default true. */
  endSessionsOnStop?: boolean;
  /** Unit the sessions belong to; default the server's own default. */
  unit?: string;
}

export interface SimulatedSessionInfo {
  sessionId: string;
  patientLabel: string;
  /** The simulated patient's site id: the same for the same bed (unit and label) on every run, so runs build a series. */
  patientRef: string;
  scenario: string;
  setting: CareSetting;
  weightKg: number;
  ageYears: number;
}

export interface SimulationStats {
  /** Real seconds since the first frame. */
  elapsedS: number;
  /** Scenario minutes since the infusions started. */
  scenarioMin: number;
  framesGenerated: number;
  infusionEventsSent: number;
  infusionEventsFailed: number;
  device: DeviceStats;
}

export interface SimulationHandle {
  readonly sessions: readonly SimulatedSessionInfo[];
  stats(): SimulationStats;
  /** Stops the frames; stops running infusions and ends the sessions unless told to leave them. Idempotent. */
  stop(opts?: { endSessions?: boolean }): Promise<SimulationStats>;
  /** Settles when the run has stopped, whatever stopped it. */
  readonly done: Promise<SimulationStats>;
}

interface Running {
  info: SimulatedSessionInfo;
  patient: SimulatedPatient;
  seq: number;
  /** The pre-infusion steps (order, scores, checklist) have been sent. */
  prepared: boolean;
  /** The physician's order the scenario's plan runs under (written by the trainer before the checklist). */
  order: OrderInput;
  /** Infusion events go to the server one after another, in scenario order. */
  events: Promise<void>;
  rejectedFrames: number;
  /** False once the server has refused this session's frames repeatedly (e.g. the session was ended elsewhere). */
  streaming: boolean;
  /** Scenario minute of the next sedation and pain score the scripted nurse records. */
  nextScoreMin: number;
  /** The pre-infusion steps of a patient who is never started have been queued (once). */
  checksQueued: boolean;
}

/** The scripted nurse scores sedation and pain this often (scenario minutes): inside the 15 min sedation interval at any speed >= 1. */
const SCORE_EVERY_MIN = 10;

/** The formulary entry (shared/src/default-formulary.json) a simulated drug is documented under. */
const FORMULARY_ID: Record<SimDrug, string> = {
  midazolam: 'midazolam',
  clonidine: 'clonidine',
  metoprolol: 'beta_blocker',
  ondansetron: 'antiemetic',
  // The shipped formulary has no opioid entry: a site that adds one under this id gets it documented.
  fentanyl: 'fentanyl',
};

/** After this many refused frames a session stops streaming: the server will not take more. */
const REJECTIONS_BEFORE_GIVING_UP = 10;
/** Frames still unacknowledged at stop are given this long before the sessions are ended. */
const DRAIN_ON_STOP_MS = 5_000;
const MAX_SESSIONS = 1_000;

/**
 * Runs N simulated patients against a server, through the same REST and /ingest paths as a real
 * device. The scenario clock (PK and scenario timeline) runs `speed` times faster than real time;
 * frames carry real wall-clock timestamps, never ahead of now.
 */
export async function runSimulation(opts: RunSimulationOptions): Promise<SimulationHandle> {
  const log = opts.log ?? consoleLogger;
  const speed = opts.speed ?? 1;
  const intervalMs = opts.frameIntervalMs ?? 1_000;
  const seed = opts.seed ?? 1;
  if (!Number.isInteger(opts.sessions) || opts.sessions < 1 || opts.sessions > MAX_SESSIONS) {
    throw new RangeError(`sessions must be an integer from 1 to ${MAX_SESSIONS} (got ${opts.sessions})`);
  }
  if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`speed must be a positive number (got ${speed})`);
  if (!(intervalMs > 0)) throw new RangeError(`frameIntervalMs must be positive (got ${intervalMs})`);
  if (opts.durationS !== undefined && !(opts.durationS > 0)) throw new RangeError(`durationS must be positive (got ${opts.durationS})`);
  const scenarios = (opts.scenarios?.length ? opts.scenarios : DEFAULT_SCENARIO_ORDER).map(resolveScenario);

  const api = new InfusionApi({ url: opts.url, headers: opts.headers });
  const runs = await createSessions(api, opts, scenarios, seed, log);

  const bySessionId = new Map(runs.map((r) => [r.info.sessionId, r]));
  const onRejected = (frame: VitalsFrame) => {
    const run = bySessionId.get(frame.sessionId);
    if (!run || !run.streaming || ++run.rejectedFrames < REJECTIONS_BEFORE_GIVING_UP) return;
    run.streaming = false;
    log.error(`${run.info.patientLabel}: the server refused ${run.rejectedFrames} frames; no more frames for this session`);
  };
  const device = new DeviceClient({ url: opts.url, auth: opts.auth, extraHeaders: opts.headers, ackTimeoutMs: opts.ackTimeoutMs, log, onRejected });
  const counters = { frames: 0, eventsSent: 0, eventsFailed: 0 };
  const startedAt = Date.now();
  let scenarioMin = 0;
  let timer: NodeJS.Timeout | null = null;
  let durationTimer: NodeJS.Timeout | null = null;
  let stopping: Promise<SimulationStats> | null = null;
  let resolveDone!: (s: SimulationStats) => void;
  const done = new Promise<SimulationStats>((r) => (resolveDone = r));

  const stats = (): SimulationStats => ({
    elapsedS: (Date.now() - startedAt) / 1000,
    scenarioMin,
    framesGenerated: counters.frames,
    infusionEventsSent: counters.eventsSent,
    infusionEventsFailed: counters.eventsFailed,
    device: device.stats,
  });

  /** Requests of one session go to the server one after another, in scenario order. */
  const enqueue = (run: Running, what: string, job: () => Promise<void>) => {
    run.events = run.events.then(async () => {
      try {
        await job();
      } catch (err) {
        counters.eventsFailed++;
        log.error(`${run.info.patientLabel}: ${what} not recorded: ${errorText(err)}`);
      }
    });
  };

  /**
   * What a nurse does before the first start: baseline vitals on record, sedation and pain scored
   * (by the virtual assessor), the physician's order, the pre-infusion checklist answered with what
   * the scenario's patient has.
   */
  const prepare = async (run: Running) => {
    if (run.prepared) return;
    await device.drain(5_000);
    await api.observation(run.info.sessionId, { scale: 'RASS', score: run.patient.assess('RASS') });
    await api.observation(run.info.sessionId, { scale: 'NRS_PAIN', score: run.patient.assess('NRS_PAIN') });
    await api.order(run.info.sessionId, run.order);
    await api.checklist(run.info.sessionId, simulatedChecklist(run.order.rateMaxMgKgH, run.patient.scenario.checklist?.findings ?? []));
    run.prepared = true;
    if (run.patient.checklistFails) log.info(`${run.info.patientLabel}: pre-infusion checklist failed: the infusion is not started`);
  };

  const postEvent = (run: Running, ev: InfusionEventInput) => {
    enqueue(run, `infusion ${ev.type}`, async () => {
      if (ev.type === 'start') await prepare(run);
      await api.infusionEvent(run.info.sessionId, ev);
      counters.eventsSent++;
      log.info(`${run.info.patientLabel}: ${describeEvent(ev)}`);
    });
  };

  const postDrug = (run: Running, d: GivenDrug) => {
    enqueue(run, `${d.drug} dose`, async () => {
      const dose = { drugId: FORMULARY_ID[d.drug], doseMg: d.doseMg, route: 'IV' as const, note: `${d.label} (simulated; dose: ${d.source})` };
      try {
        await api.rescue(run.info.sessionId, dose);
      } catch (err) {
        // Above the site's per-kg dose (e.g. figured on total weight where the site doses on a
        // lower dosing weight): the script's colleague confirms, as the scenario is written to show.
        if (!(err instanceof ApiError && err.status === 409 && /confirmation needed/.test(err.message))) throw err;
        await api.rescue(run.info.sessionId, { ...dose, confirm: { reason: `Scripted in training scenario ${run.info.scenario}` } });
      }
      log.info(`${run.info.patientLabel}: ${d.drug} ${d.doseMg} mg IV (${d.label})`);
    });
  };

  const postScores = (run: Running) => {
    const rass = run.patient.assess('RASS');
    const pain = run.patient.assess('NRS_PAIN');
    enqueue(run, 'sedation and pain scores', async () => {
      await api.observation(run.info.sessionId, { scale: 'RASS', score: rass });
      await api.observation(run.info.sessionId, { scale: 'NRS_PAIN', score: pain });
    });
  };

  const tick = (tickIndex: number) => {
    if (stopping) return;
    try {
      const now = Date.now();
      scenarioMin = ((now - startedAt) / 60_000) * speed;
      const frames = runs.flatMap((run) => {
        if (!run.streaming) return [];
        const sample = run.patient.advanceTo(scenarioMin);
        if (run.patient.checklistFails && !run.checksQueued && tickIndex >= 1) {
          // Not started, so no start event brings the checks: queue them after the first frames.
          run.checksQueued = true;
          enqueue(run, 'pre-infusion checks', () => prepare(run));
        }
        for (const ev of sample.infusionEvents) postEvent(run, ev);
        for (const d of sample.drugsGiven) postDrug(run, d);
        for (const a of sample.announcements) log.info(`${run.info.patientLabel}: ${a}`);
        if (run.patient.infusionStatus !== 'not_started' && scenarioMin >= run.nextScoreMin) {
          run.nextScoreMin = scenarioMin + SCORE_EVERY_MIN;
          postScores(run);
        }
        // A disconnected monitor sends nothing; its sequence numbers go on where they stopped.
        return sample.reading.connected ? [toFrame(run.info.sessionId, ++run.seq, now, sample.reading.values)] : [];
      });
      counters.frames += frames.length;
      device.send(frames);
    } catch (err) {
      // The demo runs inside the server process: a simulator fault must never take it down.
      log.error(`simulation step failed: ${errorText(err)}`);
    }
    // Scheduled against the start time so the cadence does not drift; a stalled process skips ticks rather than bursting.
    const next = Math.max(tickIndex + 1, Math.floor((Date.now() - startedAt) / intervalMs) + 1);
    timer = setTimeout(() => tick(next), startedAt + next * intervalMs - Date.now());
  };

  const stop = (stopOpts: { endSessions?: boolean } = {}): Promise<SimulationStats> => {
    stopping ??= (async () => {
      if (timer) clearTimeout(timer);
      if (durationTimer) clearTimeout(durationTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      const endSessions = stopOpts.endSessions ?? opts.endSessionsOnStop ?? true;
      if (endSessions) {
        for (const run of runs) {
          const status = run.patient.infusionStatus;
          if (status === 'running' || status === 'paused') postEvent(run, { type: 'stop', note: 'Simulation stopped' });
        }
      }
      await Promise.all(runs.map((r) => r.events));
      if (!(await device.drain(DRAIN_ON_STOP_MS))) log.warn(`${device.stats.pending} frames still unacknowledged at stop`);
      if (endSessions) await endAll(api, runs.map((r) => r.info), log);
      device.close();
      const final = stats();
      resolveDone(final);
      return final;
    })();
    return stopping;
  };
  const onAbort = () => void stop();

  log.info(
    `simulating ${runs.length} session(s) at speed ${speed}: ${runs.map((r) => `${r.info.patientLabel} ${r.info.scenario}`).join(', ')}`,
  );
  tick(0);
  if (opts.durationS !== undefined) durationTimer = setTimeout(() => void stop(), opts.durationS * 1000);
  if (opts.signal?.aborted) void stop();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });

  return { sessions: runs.map((r) => r.info), stats, stop, done };
}

/** The device id inside a key `dk_<id>_<secret>`. */
export function deviceIdOfKey(key: unknown): number | null {
  const m = typeof key === 'string' ? /^dk_(\d{1,12})_/.exec(key) : null;
  return m ? Number(m[1]) : null;
}

const simLabel = (k: number) => `SIM-${String(k).padStart(2, '0')}`;
const simChair = (k: number) => `Chair ${k}`;

/**
 * The simulated patient of bed k (label SIM-k) in a unit: a stable site patient id, so each run's
 * session in that bed joins the same simulated patient's series (the server creates the patient,
 * marked simulated, on the first run). Only the characters a site patient id allows; at most 64.
 */
export function simPatientRef(unit: string | undefined, k: number): string {
  const slug = (unit ?? '').replace(/[^A-Za-z0-9._:/-]+/g, '-').replace(/^[^A-Za-z0-9]+|-+$/g, '').slice(0, 40);
  return `SIM-PT-${slug ? `${slug}-` : ''}${String(k).padStart(2, '0')}`;
}
/** Tries past chairs taken by sessions this caller cannot see (a trainer does not see real patients). */
const MAX_NAME_TRIES = 200;

/**
 * Hands out numbers k whose label SIM-k and chair "Chair k" no visible active session of the unit
 * uses: the server refuses a duplicate chair or label (409), and two runs must never make two tiles
 * both called "SIM-01 Chair 1". Numbers the server refuses are skipped too.
 */
async function nameSource(api: InfusionApi, unit: string | undefined): Promise<() => number> {
  const active = (await api.activeSessions()).filter((s) => unit === undefined || s.unit === unit);
  const norm = (x: string) => x.replace(/\s+/g, ' ').trim().toLowerCase();
  const labels = new Set(active.map((s) => norm(s.patientLabel)));
  const chairs = new Set(active.map((s) => norm(s.location)));
  let k = 0;
  return () => {
    do k++;
    while (labels.has(norm(simLabel(k))) || chairs.has(norm(simChair(k))));
    return k;
  };
}

const isDuplicateName = (err: unknown) => err instanceof ApiError && err.status === 409 && err.fields.some((f) => f.field === 'location' || f.field === 'patientLabel');

async function createSessions(api: InfusionApi, opts: RunSimulationOptions, scenarios: Scenario[], seed: number, log: SimLogger): Promise<Running[]> {
  const deviceId = deviceIdOfKey(opts.auth?.deviceKey);
  const nextNumber = await nameSource(api, opts.unit);
  const plans = Array.from({ length: opts.sessions }, (_, i) => {
    const scenario = scenarios[i % scenarios.length]!;
    const patientSeed = deriveSeed(seed, i);
    const rng = createRng(deriveSeed(patientSeed, 0));
    const [wLo, wHi] = scenario.patient.weightKg;
    const [aLo, aHi] = scenario.patient.ageYears;
    const weightKg = Math.round(rng.uniform(wLo, wHi));
    const ageYears = Math.round(rng.uniform(aLo, aHi));
    return { i, scenario, patientSeed, weightKg, ageYears };
  });
  const createOne = async (p: (typeof plans)[number]) => {
    for (let tries = 1; ; tries++) {
      const k = nextNumber();
      try {
        return await api.createSession({
          patientLabel: simLabel(k),
          weightKg: p.weightKg,
          ageYears: p.ageYears,
          setting: p.scenario.setting,
          indication: p.scenario.indication,
          supervisingPhysician: 'Simulated physician',
          nurse: 'Simulated nurse',
          location: simChair(k),
          ...(opts.unit ? { unit: opts.unit } : {}),
          simulated: true,
          patientRef: simPatientRef(opts.unit, k),
          // The server feeds a session only from devices assigned to it: assign this simulator's own.
          ...(deviceId ? { deviceIds: [deviceId] } : {}),
        });
      } catch (err) {
        if (!isDuplicateName(err) || tries >= MAX_NAME_TRIES) throw err;
      }
    }
  };
  const created = await Promise.allSettled(plans.map(createOne));
  const failures = created.filter((c) => c.status === 'rejected');
  if (failures.length) {
    // Leave nothing half-started behind.
    const ok = created.flatMap((c) => (c.status === 'fulfilled' ? [c.value] : []));
    await endAll(api, ok.map((s) => ({ sessionId: s.id, patientLabel: s.patientLabel })), log);
    throw new Error(`cannot create simulated sessions: ${errorText(failures[0]!.reason)}`);
  }
  return plans.map((p, i) => {
    const result = created[i] as PromiseFulfilledResult<{ id: string; patientLabel: string; patientRef: string | null }>;
    return {
      info: {
        sessionId: result.value.id,
        patientLabel: result.value.patientLabel,
        patientRef: result.value.patientRef ?? '',
        scenario: p.scenario.name,
        setting: p.scenario.setting,
        weightKg: p.weightKg,
        ageYears: p.ageYears,
      },
      patient: new SimulatedPatient({ scenario: p.scenario, weightKg: p.weightKg, seed: p.patientSeed }),
      seq: 0,
      prepared: false,
      order: scenarioOrder(p.scenario),
      events: Promise.resolve(),
      rejectedFrames: 0,
      streaming: true,
      nextScoreMin: SCORE_EVERY_MIN,
      checksQueued: false,
    };
  });
}

async function endAll(api: InfusionApi, sessions: Pick<SimulatedSessionInfo, 'sessionId' | 'patientLabel'>[], log: SimLogger) {
  await Promise.all(
    sessions.map(async (s) => {
      try {
        await api.endSession(s.sessionId);
      } catch (err) {
        log.error(`${s.patientLabel}: session not ended: ${errorText(err)}`);
      }
    }),
  );
}

/**
 * The order a scenario's plan runs under: its rate range and boluses as written in the plan, no
 * minimum interval beyond the plan's own, and a cumulative maximum of the plan's boluses plus its
 * highest rate for a day (a teaching order for a simulated session, not a clinical value).
 */
export function scenarioOrder(scenario: Scenario): OrderInput {
  const rates = scenario.infusion.flatMap((s) => (s.type === 'start' || s.type === 'rate_change' ? [s.rateMgKgH] : []));
  const boluses = scenario.infusion.flatMap((s) => (s.type === 'bolus' ? [s.doseMgKg] : []));
  const maxRate = Math.max(...rates, 0.1);
  return {
    setting: scenario.setting,
    rateMinMgKgH: Math.min(...rates, maxRate),
    rateMaxMgKgH: maxRate,
    bolusAllowed: boluses.length > 0,
    // Doses go out rounded to 0.1 mg: a hundredth of a mg/kg of room keeps the rounded dose inside the order.
    bolusMaxMgKg: boluses.length ? Math.ceil(Math.max(...boluses) * 100 + 1) / 100 : null,
    bolusMinIntervalMin: boluses.length ? 0 : null,
    maxCumulativeMgKg: Math.min(200, Math.ceil(boluses.reduce((a, b) => a + b, 0) + maxRate * 24)),
    note: `simulated scenario ${scenario.name}`,
  };
}

/** A checklist answered with everything checked and the patient's findings (none by default) ticked. */
export function simulatedChecklist(orderedRateMgKgH: number, findings: readonly ContraindicationId[] = []): ChecklistInput {
  const answers = Object.fromEntries(CONTRAINDICATIONS.map((c) => [c.id, findings.includes(c.id)])) as ChecklistInput['contraindications'];
  return {
    contraindications: answers,
    // A simulated patient: a negative test stands for the result a nurse would record.
    pregnancy: { result: 'negative' },
    consentObtained: true,
    cardiovascularRisk: false,
    ecgDone: false,
    liverRisk: false,
    lftsDone: false,
    physicianImmediatelyAvailable: true,
    resuscitationEquipmentChecked: true,
    rescueDrugsChecked: true,
    orderedRateMgKgH,
  };
}

function describeEvent(ev: InfusionEventInput): string {
  const note = ev.note ? ` (${ev.note})` : '';
  switch (ev.type) {
    case 'start':
    case 'rate_change':
      return `infusion ${ev.type.replace('_', ' ')} ${ev.rateMgKgH} mg/kg/h${note}`;
    case 'bolus':
      return `bolus ${ev.doseMg} mg${note}`;
    default:
      return `infusion ${ev.type}${note}`;
  }
}
