/**
 * The debrief of a training run: the scenario's events and alarms against what the trainee did, each
 * expected action of the scenario judged (met, late, missed, violated), and a score with its
 * breakdown. The server computes it from the stored run, session, alarms and actions (the same rules
 * that run on the ward), keeps each ended run's score per trainee, and exports it (PDF, CSV).
 * Times are scenario milliseconds from the start of the run unless named `at` (wall epoch ms).
 */

/** How one expected action of the scenario went. */
export const DEBRIEF_OUTCOMES = ['met', 'late', 'missed', 'violated', 'avoided', 'not_triggered'] as const;
export type DebriefOutcome = (typeof DEBRIEF_OUTCOMES)[number];

export interface DebriefItem {
  /** The scenario's expected-action id. */
  id: string;
  label: string;
  /** `do`: must happen by its deadline; `avoid`: must not happen (e.g. no further benzodiazepine). */
  kind: 'do' | 'avoid';
  /** When its clock started (event, first alarm of a rule, or minute); null: the trigger never happened. */
  startedMs: number | null;
  deadlineS: number | null;
  /** The trainee's action that met it, or the one that violated it. */
  doneMs: number | null;
  /** Seconds from `startedMs` to `doneMs`. */
  responseS: number | null;
  outcome: DebriefOutcome;
  weight: number;
  /** Points earned: full when met or avoided, half when late, none otherwise; not_triggered counts in neither points nor max. */
  points: number;
  /** One sentence for the trainer, in clinical words. */
  detail: string;
  /** True while the run goes on and the outcome may still change (missed before its deadline, avoided so far). */
  pending?: boolean;
}

export interface DebriefAlarm {
  alarmId: string;
  ruleId: string;
  /** The alarm's message as the ward screen shows it. */
  message: string;
  priority: 'high' | 'medium' | 'low';
  raisedMs: number;
  acknowledgedMs: number | null;
  acknowledgedBy: string | null;
  /** Seconds from raised to acknowledged (scenario time). */
  timeToAckS: number | null;
  /** The scenario was written to raise this rule. */
  expected: boolean;
}

/** Something the trainee did that the scenario or the rules count against them. */
export interface DebriefWrongAction {
  scenarioMs: number;
  text: string;
  reason: string;
}

export type DebriefSource = 'scenario' | 'trainer' | 'trainee' | 'rules';

export interface DebriefTimelineEntry {
  scenarioMs: number;
  at: number;
  source: DebriefSource;
  text: string;
}

export interface TrainingDebrief {
  runId: string;
  sessionId: string;
  scenario: string;
  scenarioTitle: string;
  trainee: string;
  trainer: string;
  seed: number;
  state: 'created' | 'running' | 'paused' | 'ended';
  startedAt: number | null;
  endedAt: number | null;
  /** Scenario time the run reached. */
  scenarioMs: number;
  score: { points: number; max: number; percent: number | null };
  items: DebriefItem[];
  alarms: DebriefAlarm[];
  /** Guideline rules that raised an alarm during the run, with how often. */
  rulesFired: { ruleId: string; message: string; count: number }[];
  wrongActions: DebriefWrongAction[];
  timeline: DebriefTimelineEntry[];
  /** Always true: every screen and export marks a training run simulated. */
  simulated: true;
  generatedAt: number;
}

/** One ended run in a trainee's progress. */
export interface TraineeRunScore {
  runId: string;
  scenario: string;
  scenarioTitle: string;
  trainer: string;
  endedAt: number;
  points: number;
  max: number;
  percent: number | null;
  missed: number;
  violated: number;
  /** Median seconds to acknowledge an alarm over the run; null when none was acknowledged. */
  medianAckS: number | null;
}

export interface TraineeProgress {
  trainee: string;
  runs: TraineeRunScore[];
}

/**
 * Routes (server/src/routes/trainingRoutes.ts), all audited, role `training.view` (a trainee reads only
 * their own, a trainer those of their units):
 * - GET /api/training/runs/:id/debrief                 → TrainingDebrief (any state; final once ended)
 * - GET /api/training/runs/:id/debrief/export?format=pdf|csv → the file (simulated marked on every page)
 * - GET /api/training/trainees/:username/progress      → TraineeProgress (ended runs, newest first)
 */
export const DEBRIEF_EXPORT_FORMATS = ['pdf', 'csv'] as const;
export type DebriefExportFormat = (typeof DEBRIEF_EXPORT_FORMATS)[number];

/** Each outcome in the words the debrief shows (screen and exports). */
export const DEBRIEF_OUTCOME_LABELS: Record<DebriefOutcome, string> = {
  met: 'Met',
  late: 'Late (half points)',
  missed: 'Missed',
  violated: 'Not avoided',
  avoided: 'Avoided',
  not_triggered: 'Did not arise',
};

/** The mark on every page and file of a debrief: a training run is never a patient record. */
export const TRAINING_MARK = 'SIMULATED — TRAINING RUN, not a patient record';

/** Scenario time as the trainer reads it: m:ss from the start of the run. */
export function scenarioClockText(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
