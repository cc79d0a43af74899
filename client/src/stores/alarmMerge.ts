import type { Alarm, AlarmState } from '@infusion/shared';

/** An alarm only moves forward: active -> acknowledged -> resolved (or straight to resolved). */
const STATE_ORDER: Record<AlarmState, number> = { active: 0, acknowledged: 1, resolved: 2 };

/**
 * Merge a copy of an alarm that carries no event id (an ack reply, a session detail):
 * taken only if the alarm is unknown or the copy is further along, so it never undoes a newer update.
 */
export function mergeUnversionedAlarm(local: Alarm | undefined, incoming: Alarm): Alarm {
  if (!local) return incoming;
  return STATE_ORDER[incoming.state] > STATE_ORDER[local.state] ? incoming : local;
}
