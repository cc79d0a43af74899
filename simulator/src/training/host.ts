import {
  TRAINING_HOST_NAMESPACE,
  scenarioMsAt,
  wallTimeOf,
  type TrainingHostClientToServer,
  type TrainingDocument,
  type TrainingHostRun,
  type TrainingRunEvent,
  type TrainingHostServerToClient,
  type TrainingScenarioSummary,
  type VitalsFrame,
} from '@infusion/shared';
import { io, type Socket } from 'socket.io-client';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DeviceClient } from '../device';
import { consoleLogger, errorText, type SimLogger } from '../log';
import { SimulatedPatient } from '../patient';
import { toFrame } from '../physiology';
import { createRng, deriveSeed } from '../random';
import { scenarioOrder, simulatedChecklist } from '../runner';
import { SCENARIOS, type Scenario } from '../scenarios';
import { replayPlan, type ReplayPlan } from './replay';

export interface TrainingHostOptions {
  /** Server base URL, e.g. http://localhost:3000. */
  url: string;
  /** This host's simulator device key. */
  deviceKey: string;
  log?: SimLogger;
  /** How often frames due by now are produced (real ms). Default 100. */
  tickMs?: number;
  /** Scenarios offered (default the shipped ones). */
  scenarios?: Record<string, Scenario>;
}

/** Scenario seconds between frames: one frame per scenario second at any speed, so a run re-simulates to the same frames. */
export const FRAME_STEP_S = 1;

interface Sim {
  run: TrainingHostRun;
  plan: ReplayPlan;
  patient: SimulatedPatient;
  /** Scenario second of the next frame; its seq is `nextS + 1`. */
  nextS: number;
  /** Index of the next action in `plan.actions` to apply. */
  nextAction: number;
  /** Timeline entries (injected events and actions) the patient was built with. */
  built: number;
  /** What the scenario documents on the session, sent one after another in scenario order. */
  docs: Promise<void>;
  /** The scripted nurse's order and checklist are documented. */
  prepared: boolean;
  /** Scenario second of the scripted nurse's next sedation and pain scores (null: none until the start). */
  nextScoreS: number | null;
  /** Scores asked for from outside (the trainee's), each with a noise source of its own. */
  asked: number;
}

/** The scripted nurse scores sedation and pain this often once the infusion has started (as the demo's nurse). */
const SCORE_EVERY_S = 10 * 60;

/** Entries of a run's timeline the patient is built from (a trainee's score beside the assessor's changes nothing). */
const builtFrom = (events: readonly TrainingRunEvent[]) => events.filter((e) => e.kind === 'inject' || e.kind === 'action').length;

export interface TrainingHostStats {
  runs: number;
  framesGenerated: number;
  rebuilds: number;
}

/**
 * The training host: a device like any other (its own process, its own simulator key). It learns the
 * runs it simulates from the server (`/training-host`), runs each on the run's scenario clock with a
 * SimulatedPatient, and streams one frame per scenario second through the normal ingest path. A run is
 * a pure function of its seed, its scenario, the events injected and the trainee's actions, each at its
 * scenario time: whenever those change, and after any restart, the patient is re-simulated from the
 * start to where the host is (or to the first seq the server has not stored) and continues. Frame
 * timestamps come from the run's clock, so a frame sent again is identical and ingest answers it
 * "duplicate".
 */
export class TrainingHost {
  private readonly log: SimLogger;
  private readonly socket: Socket<TrainingHostServerToClient, TrainingHostClientToServer>;
  private readonly device: DeviceClient;
  private readonly sims = new Map<string, Sim>();
  private readonly scenarios: Record<string, Scenario>;
  private readonly timer: NodeJS.Timeout;
  private readonly counters = { frames: 0, rebuilds: 0 };
  private closed = false;

  constructor(opts: TrainingHostOptions) {
    this.log = opts.log ?? consoleLogger;
    this.scenarios = opts.scenarios ?? SCENARIOS;
    const base = opts.url.replace(/\/+$/, '');
    this.device = new DeviceClient({ url: base, auth: { deviceKey: opts.deviceKey }, log: this.log, onRejected: (f, errors) => this.log.warn(`frame ${f.seq} of ${f.sessionId} refused: ${errors.map((e) => e.reason).join('; ')}`) });
    this.socket = io(`${base}${TRAINING_HOST_NAMESPACE}`, { auth: { deviceKey: opts.deviceKey }, transports: ['websocket'], reconnectionDelay: 500, reconnectionDelayMax: 5_000 });
    this.socket.on('connect', () => this.hello());
    this.socket.on('runs', (runs) => this.sync(runs, true));
    this.socket.on('run', (run) => this.sync([run], false));
    this.socket.on('assess', (req, ack) => {
      const sim = this.sims.get(req.runId);
      if (!sim) return ack({ ok: false, error: `training run ${req.runId} not simulated here` });
      try {
        ack({ ok: true, data: { score: sim.patient.assess(req.scale, createRng(deriveSeed(sim.run.seed, 1000 + ++sim.asked))) } });
      } catch (err) {
        ack({ ok: false, error: errorText(err) });
      }
    });
    this.socket.on('connect_error', (err) => this.log.warn(`training host: ${err.message}`));
    this.timer = setInterval(() => this.tick(), opts.tickMs ?? 100);
  }

  get stats(): TrainingHostStats {
    return { runs: this.sims.size, framesGenerated: this.counters.frames, rebuilds: this.counters.rebuilds };
  }

  get deviceStats() {
    return this.device.stats;
  }

  /** The catalogue this host offers the console. */
  catalogue(): TrainingScenarioSummary[] {
    return Object.values(this.scenarios).map((s) => ({ name: s.name, title: s.title, setting: s.setting, indication: s.indication, weightKg: s.patient.weightKg, ageYears: s.patient.ageYears }));
  }

  /** Waits until every frame produced is acknowledged (or the timeout passes). */
  drain(timeoutMs: number): Promise<boolean> {
    return this.device.drain(timeoutMs);
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    this.socket.close();
    this.device.close();
  }

  private hello(): void {
    // The full documents too: the server keeps a run's scenario (expected actions, alarms) for its debrief.
    this.socket.emit('hello', { scenarios: this.catalogue(), documents: Object.values(this.scenarios) }, (r) => {
      if (!r.ok) this.log.error(`training host: hello refused: ${r.error}`);
      else this.log.info(`training host: connected, ${r.data.runs} run(s) to simulate`);
    });
  }

  /** Runs from the server: new ones are re-simulated to what storage has, changed ones rebuilt where the host is. */
  private sync(runs: TrainingHostRun[], complete: boolean): void {
    if (complete) for (const id of this.sims.keys()) if (!runs.some((r) => r.id === id)) this.sims.delete(id);
    for (const run of runs) {
      try {
        if (run.state === 'ended') {
          this.sims.delete(run.id);
          continue;
        }
        const scenario = this.scenarios[run.scenario];
        if (!scenario) {
          this.log.error(`training run ${run.id}: scenario ${run.scenario} not known to this host`);
          continue;
        }
        const sim = this.sims.get(run.id);
        if (sim && sim.built === builtFrom(run.events)) {
          sim.run = run;
          continue;
        }
        // New here (a restart of the host): continue from the first frame the server has not stored.
        const toS = sim ? sim.nextS : Math.max(0, run.nextSeq - 1);
        const next = this.build(run, scenario, toS);
        // What the scenario documented so far stays documented (a rebuild sends nothing again).
        if (sim) Object.assign(next, { docs: sim.docs, prepared: sim.prepared, nextScoreS: sim.nextScoreS, asked: sim.asked });
        this.sims.set(run.id, next);
      } catch (err) {
        this.log.error(`training run ${run.id}: ${errorText(err)}`);
      }
    }
  }

  /** A fresh patient from the run's seed and timeline, stepped (without sending) to scenario second `toS`. */
  private build(run: TrainingHostRun, scenario: Scenario, toS: number): Sim {
    this.counters.rebuilds++;
    const plan = replayPlan(scenario, run.events);
    const patient = new SimulatedPatient({ scenario: plan.scenario, weightKg: run.weightKg, seed: run.seed, followPlan: run.scriptedNurse });
    // A host that restarts mid-run resumes past what it documented then (documents are not resent).
    const sim: Sim = { run, plan, patient, nextS: 0, nextAction: 0, built: builtFrom(run.events), docs: Promise.resolve(), prepared: toS > 0, nextScoreS: null, asked: 0 };
    while (sim.nextS < toS) this.step(sim);
    if (run.scriptedNurse && patient.infusionStatus !== 'not_started') sim.nextScoreS = toS + SCORE_EVERY_S;
    return sim;
  }

  /** One scenario second: the actions due by then, then the patient's sample. */
  private step(sim: Sim) {
    const s = sim.nextS++;
    for (let a = sim.plan.actions[sim.nextAction]; a && a.atS <= s; a = sim.plan.actions[++sim.nextAction]) sim.patient.act(a.action);
    return sim.patient.advanceTo((s * FRAME_STEP_S) / 60);
  }

  /**
   * What the scenario did in this live second, documented on the session as the scenario: drugs its
   * script gives (a colleague's), and with a scripted nurse the order and checklist before the first
   * frame is judged, the plan's infusion steps and the sedation and pain scores.
   */
  private documentStep(sim: Sim, s: number, sample: ReturnType<SimulatedPatient['advanceTo']>): void {
    const nurse = sim.run.scriptedNurse;
    const scenario = sim.patient.scenario;
    const scores = () => {
      for (const scale of ['RASS', 'NRS_PAIN'] as const) this.document(sim, { type: 'observation', observation: { scale, score: sim.patient.assess(scale) } });
    };
    if (nurse && !sim.prepared) {
      // As a nurse prepares: the first readings on record (the baseline), scores, the order, the checklist.
      sim.prepared = true;
      sim.docs = sim.docs.then(() => this.device.drain(5_000).then(() => undefined));
      scores();
      const order = scenarioOrder(scenario);
      this.document(sim, { type: 'order', order });
      this.document(sim, { type: 'checklist', checklist: simulatedChecklist(order.rateMaxMgKgH, scenario.checklist?.findings ?? []) });
    }
    for (const event of sample.infusionEvents) {
      this.document(sim, { type: 'infusion', event });
      if (event.type === 'start' && sim.nextScoreS === null) sim.nextScoreS = s + SCORE_EVERY_S;
    }
    for (const d of sample.drugsGiven) this.document(sim, { type: 'drug', drug: d.drug, doseMg: d.doseMg, label: d.label, source: d.source });
    if (nurse && sim.nextScoreS !== null && s >= sim.nextScoreS) {
      sim.nextScoreS = s + SCORE_EVERY_S;
      scores();
    }
  }

  /** Queued behind the run's earlier documents; a refusal is logged (the run goes on). */
  private document(sim: Sim, doc: TrainingDocument['doc']): void {
    const runId = sim.run.id;
    sim.docs = sim.docs.then(async () => {
      if (this.closed) return;
      try {
        const r = await this.socket.timeout(10_000).emitWithAck('document', { runId, doc });
        if (!r.ok) this.log.warn(`training run ${runId}: ${doc.type} not documented: ${r.error}`);
      } catch (err) {
        this.log.warn(`training run ${runId}: ${doc.type} not documented: ${errorText(err)}`);
      }
    });
  }

  /** Resolves once everything the scenario documented so far is answered (tests, shutdown). */
  async documented(): Promise<void> {
    await Promise.all([...this.sims.values()].map((s) => s.docs));
  }

  private tick(): void {
    if (this.closed) return;
    const now = Date.now();
    const frames: VitalsFrame[] = [];
    for (const sim of this.sims.values()) {
      try {
        const { run } = sim;
        if (run.state === 'created') continue;
        const upTo = scenarioMsAt(run.clock, now);
        while (sim.nextS * FRAME_STEP_S * 1000 <= upTo) {
          const ms = sim.nextS * FRAME_STEP_S * 1000;
          const t = wallTimeOf(run.clock, ms);
          if (t > now) break;
          const seq = sim.nextS + 1;
          const sample = this.step(sim);
          for (const a of sample.announcements) this.log.info(`${run.sessionId}: ${a}`);
          this.documentStep(sim, sim.nextS - 1, sample);
          // A disconnected monitor sends nothing; seqs go on where they stopped.
          if (sample.reading.connected) frames.push(toFrame(run.sessionId, seq, t, sample.reading.values));
        }
      } catch (err) {
        this.log.error(`training run ${sim.run.id}: step failed: ${errorText(err)}`);
      }
    }
    this.counters.frames += frames.length;
    if (frames.length) this.device.send(frames);
  }
}

/** `node --import tsx simulator/src/training/host.ts --url http://… ` with the key in TRAINING_HOST_KEY. */
async function main() {
  const { values } = parseArgs({ options: { url: { type: 'string' } } });
  const key = process.env.TRAINING_HOST_KEY;
  if (!values.url || !key) {
    console.error('usage: TRAINING_HOST_KEY=dk_… node --import tsx simulator/src/training/host.ts --url http://localhost:3000');
    process.exit(2);
  }
  const host = new TrainingHost({ url: values.url, deviceKey: key });
  const stop = async () => {
    await host.drain(5_000);
    host.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  // Started with an IPC channel by the launcher: a launcher that dies takes the host with it (also one
  // that died while this process was still loading, before the listener existed).
  if (process.connected === false) void stop();
  else if (process.send) process.once('disconnect', () => void stop());
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) void main();
