import type { Session } from '@infusion/shared';

/**
 * Sessions carry no version. A copy that arrives late (a snapshot or detail computed before a
 * live update we already applied) must not undo it: an ended session never becomes active again,
 * and an infusion state never goes back in event time.
 */
export function newerSession(local: Session | undefined, incoming: Session): Session {
  if (!local) return incoming;
  if (local.status === 'ended' && incoming.status === 'active') return local;
  if (incoming.status === local.status && incoming.infusion.asOf < local.infusion.asOf) return local;
  return incoming;
}
