import { create } from 'zustand';
import { initialTrainingRunsState, type TrainingRunsState } from './trainingRuns';

/** Training runs of this login; written by the training feed and the console's requests. */
export const useTraining = create<TrainingRunsState>()(() => initialTrainingRunsState);

export const updateTraining = (fn: (s: TrainingRunsState) => TrainingRunsState) => useTraining.setState(fn, true);

export const resetTraining = () => useTraining.setState(initialTrainingRunsState, true);
