import { useTraining } from './useTraining';

/**
 * Marks a training run's session wherever it is shown (beside SIMULATED): the trainee and the trainer
 * know it is an exercise, and which one. Nothing for any other session.
 */
export function TrainingBadge({ sessionId }: { sessionId: string }) {
  const isRun = useTraining((s) => sessionId in s.bySession);
  if (!isRun) return null;
  return (
    <span className="training-badge" data-testid="training-badge" title="Training run: a simulated patient driven by a trainer">
      TRAINING
    </span>
  );
}
