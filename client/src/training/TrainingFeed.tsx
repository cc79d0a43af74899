import { useEffect } from 'react';
import { useSocket } from '../app/socketContext';
import { useCan } from '../auth/useCan';
import { loadRuns } from './trainingApi';
import { upsertRun } from './trainingRuns';
import { updateTraining } from './useTraining';

/**
 * Keeps the training runs of this login current: the list once per connection (so a run changed
 * while the link was down is caught up) and every `trainingRun` event (sent by the server only to
 * the trainers of the run's unit and to its trainee). Renders nothing.
 */
export function TrainingFeed() {
  const socket = useSocket();
  const allowed = useCan('training.view');
  useEffect(() => {
    if (!allowed) return;
    const reload = () => void loadRuns();
    socket.on('trainingRun', (run) => updateTraining((s) => upsertRun(s, run)));
    socket.on('connect', reload);
    if (socket.connected) reload();
    return () => {
      socket.off('trainingRun');
      socket.off('connect', reload);
    };
  }, [socket, allowed]);
  return null;
}
