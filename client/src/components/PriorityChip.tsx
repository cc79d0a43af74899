import { PRIORITY_SIGNAL, type AlarmPriority } from '@infusion/shared';
import { chipStyle } from './alarmSignal';

export function PriorityChip({ priority }: { priority: AlarmPriority }) {
  return (
    <span className="priority-chip" style={chipStyle(priority)}>
      {PRIORITY_SIGNAL[priority].label}
    </span>
  );
}
