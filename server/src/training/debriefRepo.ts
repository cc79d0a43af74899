import { scenarioSchema, type Scenario, type ScenarioClock, type TraineeRunScore } from '@infusion/shared';
import type { Store } from '../persistence/store';
import type { GuardrailEntry } from './debrief';

/** What a debrief reads besides the run and its session, and where an ended run's score is kept. */
export class DebriefRepo {
  constructor(private readonly store: Store) {}

  /** The scenario document the run was created with (null: created before documents were kept, or one that no longer validates). */
  async scenarioDoc(runId: string): Promise<Scenario | null> {
    const r = await this.store.db.selectFrom('training_runs').select('scenario_doc').where('id', '=', runId).executeTakeFirst();
    if (!r?.scenario_doc) return null;
    try {
      const parsed = scenarioSchema.safeParse(JSON.parse(r.scenario_doc));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  /**
   * The run's clocks, oldest first. A run created before they were kept has its clock changes in the
   * audit log (each state or speed change records the scenario time it re-based at).
   */
  async clocks(runId: string): Promise<ScenarioClock[]> {
    const rows = await this.store.db.selectFrom('training_run_clocks').selectAll().where('run_id', '=', runId).orderBy('id').execute();
    if (rows.length) return rows.map((r) => ({ scenarioMs: r.scenario_ms, wallAt: r.wall_at, speed: r.speed, running: r.running === 1 }));
    const audit = await this.store.db.selectFrom('audit_log').select(['at', 'action', 'after']).where('entity', '=', 'training_run').where('entity_id', '=', runId).orderBy('id').execute();
    const out: ScenarioClock[] = [];
    for (const a of audit) {
      if (a.action === 'training.create') out.push({ scenarioMs: 0, wallAt: a.at, speed: 1, running: false });
      if (!/^training\.(start|pause|resume|end|speed)$/.test(a.action) || !a.after) continue;
      const after = JSON.parse(a.after) as { state?: string; speed?: number; scenarioMs?: number };
      if (typeof after.scenarioMs === 'number' && typeof after.speed === 'number') out.push({ scenarioMs: after.scenarioMs, wallAt: a.at, speed: after.speed, running: after.state === 'running' });
    }
    return out;
  }

  async guardrails(sessionId: string): Promise<GuardrailEntry[]> {
    const rows = await this.store.db.selectFrom('guardrail_events').select(['at', 'by', 'action', 'outcome', 'label', 'value', 'lim', 'unit_of_measure']).where('session_id', '=', sessionId).orderBy('id').execute();
    return rows.map((r) => ({ at: r.at, by: r.by, action: r.action, outcome: r.outcome, label: r.label, value: r.value, limit: r.lim, unit: r.unit_of_measure }));
  }

  /** Kept (or replaced) once the run has ended. */
  async saveScore(s: TraineeRunScore & { trainee: string; unit: string }, now: number): Promise<void> {
    const row = {
      run_id: s.runId,
      trainee: s.trainee,
      unit: s.unit,
      trainer: s.trainer,
      scenario: s.scenario,
      scenario_title: s.scenarioTitle,
      ended_at: s.endedAt,
      points: s.points,
      max: s.max,
      percent: s.percent,
      missed: s.missed,
      violated: s.violated,
      median_ack_s: s.medianAckS,
      computed_at: now,
    };
    const { run_id: _id, ...rest } = row;
    void _id;
    await this.store.db.insertInto('training_scores').values(row).onConflict((oc) => oc.column('run_id').doUpdateSet(rest)).execute();
  }

  /** A trainee's kept scores, newest first; `units` limits them to those units (null: all). */
  async scores(trainee: string, units: readonly string[] | null): Promise<TraineeRunScore[]> {
    let q = this.store.db.selectFrom('training_scores').selectAll().where('trainee', '=', trainee).orderBy('ended_at', 'desc').limit(500);
    if (units) q = q.where('unit', 'in', units.length ? [...units] : ['\u0000']);
    const rows = await q.execute();
    return rows.map((r) => ({
      runId: r.run_id,
      scenario: r.scenario,
      scenarioTitle: r.scenario_title,
      trainer: r.trainer,
      endedAt: r.ended_at,
      points: r.points,
      max: r.max,
      percent: r.percent,
      missed: r.missed,
      violated: r.violated,
      medianAckS: r.median_ack_s,
    }));
  }

  /** Ended runs of the trainee whose score was never kept (a server stopped between the end and the score). */
  async unscored(trainee: string): Promise<string[]> {
    const rows = await this.store.db
      .selectFrom('training_runs')
      .leftJoin('training_scores', 'training_scores.run_id', 'training_runs.id')
      .select('training_runs.id')
      .where('training_runs.trainee', '=', trainee)
      .where('training_runs.state', '=', 'ended')
      .where('training_scores.run_id', 'is', null)
      .limit(50)
      .execute();
    return rows.map((r) => r.id);
  }
}
