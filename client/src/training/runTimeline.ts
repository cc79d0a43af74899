import { EXCURSION_FIELDS, OBSERVATION_SCALES, type ScenarioEvent, type TrainingAction, type TrainingRunEvent, type TrainingState } from '@infusion/shared';
import { formatMg, INFUSION_EVENT_LABEL, formatRate } from '../format';
import { ARTIFACT_LABEL } from './runForms';

/** A run's state in the console's words. */
export const RUN_STATE_LABEL: Record<TrainingState, string> = {
  created: 'Ready to start',
  running: 'Running',
  paused: 'Paused',
  ended: 'Ended',
};

const VITAL_NAME: Record<(typeof EXCURSION_FIELDS)[number], string> = { hr: 'HR', sbp: 'SBP', dbp: 'DBP', spo2: 'SpO2', etco2: 'EtCO2', rr: 'RR' };
const minutes = (m: number) => `${Number(m.toFixed(2))} min`;

/** What an injected (or scripted) scenario event does, in one line a trainer reads at a glance. */
export function scenarioEventText(e: ScenarioEvent): string {
  switch (e.kind) {
    case 'excursion': {
      const moves = [
        ...EXCURSION_FIELDS.filter((f) => e.to?.[f] !== undefined).map((f) => `${VITAL_NAME[f]} to ${e.to?.[f]}`),
        ...EXCURSION_FIELDS.filter((f) => e.delta?.[f] !== undefined).map((f) => `${VITAL_NAME[f]} ${e.delta![f]! >= 0 ? '+' : ''}${e.delta?.[f]}`),
      ];
      return `${e.label}: ${moves.join(', ') || 'no vital sign moved'} over ${minutes(e.onsetMin)}, held ${minutes(e.holdMin)}, recovering over ${minutes(e.recoverMin)}`;
    }
    case 'prompt':
      return `${e.label}: “${e.text}”`;
    case 'artifact':
      return `${e.label}: ${ARTIFACT_LABEL[e.artifact]} for ${minutes(e.durationMin)}`;
    case 'drug':
      return `${e.label}: ${e.drug} ${e.doseMgKg} mg/kg given by a colleague`;
    case 'reaction':
      return `${e.label}: ${e.reaction === 'emergence' ? 'emergence reaction' : 'nausea'} (susceptibility ×${e.susceptibility})`;
  }
}

/** What the trainee documented, as the bedside names it. */
export function traineeActionText(a: TrainingAction): string {
  if (a.type === 'drug') return `Rescue dose: ${a.drug} ${formatMg(a.doseMg)}`;
  const e = a.event;
  const detail = e.type === 'bolus' && e.doseMg !== undefined ? ` ${formatMg(e.doseMg)}` : e.rateMgKgH !== undefined ? ` at ${formatRate(e.rateMgKgH)}` : '';
  return `Infusion ${INFUSION_EVENT_LABEL[e.type].toLowerCase()}${detail}`;
}

export interface TimelineLine {
  id: number;
  scenarioMs: number;
  source: 'trainer' | 'trainee';
  text: string;
  by: string;
}

/** A run's timeline, newest first: the trainer's injected events and the trainee's actions. */
export function timelineLines(events: readonly TrainingRunEvent[]): TimelineLine[] {
  return [...events]
    .sort((a, b) => b.scenarioMs - a.scenarioMs || b.id - a.id)
    .map((e) => ({ id: e.id, scenarioMs: e.scenarioMs, by: e.by, ...lineOf(e) }));
}

function lineOf(e: TrainingRunEvent): Pick<TimelineLine, 'source' | 'text'> {
  if (e.kind === 'inject') return { source: 'trainer', text: scenarioEventText(e.event) };
  if (e.kind === 'action') return { source: 'trainee', text: traineeActionText(e.action) };
  const a = e.assessment;
  const scale = OBSERVATION_SCALES[a.scale].label;
  return { source: 'trainee', text: `${scale} ${a.traineeScore} scored; the patient shows ${a.assessorScore ?? 'unknown (no answer from the simulation)'}` };
}
