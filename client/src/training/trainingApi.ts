import type { TrainingRun, TrainingRunCreate, TrainingScenarioSummary, TrainingSpeed, TrainingTraineeOption } from '@infusion/shared';
import { api } from '../auth/authActions';
import type { ApiResult } from '../auth/http';
import { applyRunList, upsertRun } from './trainingRuns';
import { updateTraining } from './useTraining';

/**
 * The training API (docs/api.md, "Training runs"). Every answer that carries a run is applied to the
 * store at once; the live `trainingRun` event that follows is the same run and changes nothing.
 */

const run = (id: string) => `/api/training/runs/${encodeURIComponent(id)}`;

const applied = (res: ApiResult<TrainingRun>): ApiResult<TrainingRun> => {
  if (res.ok) updateTraining((s) => upsertRun(s, res.data));
  return res;
};

export async function loadRuns(): Promise<ApiResult<TrainingRun[]>> {
  const res = await api<TrainingRun[]>('GET', '/api/training/runs');
  if (res.ok) updateTraining((s) => applyRunList(s, res.data));
  return res;
}

export const loadScenarios = () => api<TrainingScenarioSummary[]>('GET', '/api/training/scenarios');

export const loadTrainees = (unit: string) => api<TrainingTraineeOption[]>('GET', `/api/training/trainees?unit=${encodeURIComponent(unit)}`);

export const createRun = async (body: TrainingRunCreate) => applied(await api<TrainingRun>('POST', '/api/training/runs', body));

export type RunTransition = 'start' | 'pause' | 'resume' | 'end';
export const transitionRun = async (id: string, what: RunTransition) => applied(await api<TrainingRun>('POST', `${run(id)}/${what}`, {}));

export const setRunSpeed = async (id: string, speed: TrainingSpeed) => applied(await api<TrainingRun>('POST', `${run(id)}/speed`, { speed }));

export const injectRunEvent = async (id: string, event: Record<string, unknown>) => applied(await api<TrainingRun>('POST', `${run(id)}/events`, { event }));
