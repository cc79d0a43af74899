import { useCan } from '../auth/useCan';
import { TraineeRuns } from './TraineeRuns';
import { TrainerConsole } from './TrainerConsole';

/** `#/training`: the console for a trainer, their own runs for anyone else (loaded lazily). */
export default function TrainingPage() {
  const trainer = useCan('training.run');
  return trainer ? <TrainerConsole /> : <TraineeRuns />;
}
