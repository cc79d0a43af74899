import {
  TRAINING_HOST_NAMESPACE,
  scenarioMsAt,
  wallTimeOf,
  type TrainingHostClientToServer,
  type TrainingHostRun,
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
}

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
        if (sim && sim.built === run.events.length) {
          sim.run = run;
          continue;
        }
        // New here (a restart of the host): continue from the first frame the server has not stored.
        const toS = sim ? sim.nextS : Math.max(0, run.nextSeq - 1);
        this.sims.set(run.id, this.build(run, scenario, toS));
      } catch (err) {
        this.log.error(`training run ${run.id}: ${errorText(err)}`);
      }
    }
  }

  /** A fresh patient from the run's seed and timeline, stepped (without sending) to scenario second `toS`. */
  private build(run: TrainingHostRun, scenario: Scenario, toS: number): Sim {
    this.counters.rebuilds++;
    const plan = replayPlan(scenario, run.events);
    const patient = new SimulatedPatient({ scenario: plan.scenario, weightKg: run.weightKg, seed: run.seed, followPlan: false });
    const sim: Sim = { run, plan, patient, nextS: 0, nextAction: 0, built: run.events.length };
    while (sim.nextS < toS) this.step(sim);
    return sim;
  }

  /** One scenario second: the actions due by then, then the patient's sample. */
  private step(sim: Sim) {
    const s = sim.nextS++;
    for (let a = sim.plan.actions[sim.nextAction]; a && a.atS <= s; a = sim.plan.actions[++sim.nextAction]) sim.patient.act(a.action);
    return sim.patient.advanceTo((s * FRAME_STEP_S) / 60);
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
