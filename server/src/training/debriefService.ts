import { ALL_UNITS, type DebriefExportFormat, type PublicUser, type TraineeProgress, type TrainingDebrief, type TrainingRun } from '@infusion/shared';
import type { UserService } from '../auth/userService';
import type { CareService } from '../care/careService';
import type { AlarmRepo } from '../persistence/alarmRepo';
import type { AuditRepo } from '../persistence/auditRepo';
import type { Actor, SessionService } from '../sessions/sessionService';
import type { Clock } from '../util/clock';
import { notFound } from '../util/errors';
import type { Logger } from '../util/logger';
import { computeDebrief, runScore } from './debrief';
import { buildDebriefCsv, buildDebriefPdf } from './debriefExport';
import type { DebriefRepo } from './debriefRepo';
import type { TrainingService } from './trainingService';

/** A session's alarms in a debrief: all of them. */
const ALARM_LIMIT = 100_000;

/**
 * Debriefs of training runs: computed on request from what is stored (final once the run has ended),
 * exported as PDF or CSV, and each ended run's score kept per trainee so a trainee's progress is one
 * read. Who may read a run's debrief is who may read the run (its trainee, the trainers of its unit);
 * anyone else gets 404. Every read and export is audited.
 */
export class DebriefService {
  constructor(
    private readonly d: {
      training: TrainingService;
      repo: DebriefRepo;
      sessions: SessionService;
      alarms: AlarmRepo;
      care: CareService;
      users: UserService;
      audit: AuditRepo;
      clock: Clock;
      log: Logger;
    },
  ) {
    d.training.ended.push((run) => this.keepScore(run));
  }

  /** The debrief of a run the user may see (404 otherwise), audited. */
  async read(u: PublicUser, id: string, actor: Actor): Promise<TrainingDebrief> {
    const run = await this.d.training.get(u, id);
    const debrief = await this.compute(run);
    await this.d.audit.record({ at: debrief.generatedAt, actor: actor.id, action: 'training.debrief.read', entity: 'training_run', entityId: run.id, after: { state: run.state, simulated: true }, requestId: actor.requestId ?? null });
    return debrief;
  }

  /** The debrief as a file; audited before the first byte leaves. */
  async export(u: PublicUser, id: string, format: DebriefExportFormat, actor: Actor): Promise<{ body: Buffer | string; type: string; fileName: string }> {
    const run = await this.d.training.get(u, id);
    const debrief = await this.compute(run);
    const ctx = { displayNames: await this.displayNames(), exportedAt: debrief.generatedAt, exportedBy: actor.id };
    const body = format === 'pdf' ? await buildDebriefPdf(debrief, ctx) : buildDebriefCsv(debrief, ctx);
    await this.d.audit.record({ at: debrief.generatedAt, actor: actor.id, action: 'training.debrief.export', entity: 'training_run', entityId: run.id, after: { format, state: run.state, simulated: true }, requestId: actor.requestId ?? null });
    const date = new Date(run.createdAt).toISOString().slice(0, 10);
    const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 40);
    return {
      body,
      type: format === 'pdf' ? 'application/pdf' : 'text/csv; charset=utf-8; header=present',
      fileName: `debrief_${safe(run.scenario)}_${safe(run.trainee)}_${date}_SIMULATED-TRAINING.${format}`,
    };
  }

  /**
   * A trainee's ended runs with their scores, newest first: the trainee themself, or a trainer (the
   * runs of their units, for a clinician of one of them); anyone else 404. Audited.
   */
  async progress(u: PublicUser, username: string, actor: Actor): Promise<TraineeProgress> {
    const target = await this.d.users.findByUsername(username);
    const self = u.role !== 'trainer' && target !== null && target.username === u.username;
    const allUnits = u.units.includes(ALL_UNITS);
    const trainerOf = u.role === 'trainer' && target !== null && target.role !== 'admin' && (allUnits || target.units.includes(ALL_UNITS) || target.units.some((x) => u.units.includes(x)));
    if (!target || !(self || trainerOf)) throw notFound(`trainee ${username}`);
    // A run whose score was never kept (a stop between its end and its score) is scored now.
    for (const runId of await this.d.repo.unscored(target.username)) {
      const run = await this.d.training.get(u, runId).catch(() => null);
      if (run) await this.keepScore(run);
    }
    const runs = await this.d.repo.scores(target.username, u.role === 'trainer' && !allUnits ? u.units : null);
    await this.d.audit.record({ at: this.d.clock.now(), actor: actor.id, action: 'training.progress.read', entity: 'user', entityId: target.username, after: { runs: runs.length }, requestId: actor.requestId ?? null });
    return { trainee: target.username, runs };
  }

  /** Computed from storage: the run, its scenario document and clocks, and its session's records. */
  async compute(run: TrainingRun): Promise<TrainingDebrief> {
    const s = run.sessionId;
    const [scenario, clocks, alarms, infusionEvents, rescueDoses, observations, guardrails, displayNames] = await Promise.all([
      this.d.repo.scenarioDoc(run.id),
      this.d.repo.clocks(run.id),
      this.d.alarms.forSession(s, ALARM_LIMIT),
      this.d.sessions.events(s),
      this.d.care.rescueDoses(s),
      this.d.care.observations(s),
      this.d.repo.guardrails(s),
      this.displayNames(),
    ]);
    const formulary = this.d.care.getFormulary();
    const title = this.d.training.scenarios().find((x) => x.name === run.scenario)?.title ?? run.scenario;
    return computeDebrief({
      run,
      scenario,
      scenarioTitle: title,
      clocks,
      alarms,
      infusionEvents,
      rescueDoses,
      observations,
      guardrails,
      drugClass: (id) => formulary.entries.find((e) => e.id === id)?.class ?? null,
      displayNames,
      now: this.d.clock.now(),
    });
  }

  /** An ended run's score, kept for its trainee's progress. */
  async keepScore(run: TrainingRun): Promise<void> {
    if (run.state !== 'ended' || run.endedAt === null) return;
    const d = await this.compute(run);
    await this.d.repo.saveScore({ ...runScore(d), endedAt: run.endedAt, trainee: run.trainee, unit: run.unit }, this.d.clock.now());
  }

  private async displayNames(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const u of await this.d.users.list()) out[u.username] = u.displayName;
    return out;
  }
}
