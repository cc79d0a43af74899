import type { InfusionEvent, Observation } from '@infusion/shared';
import type { ObservationRepo } from './observationRepo';
import type { SessionRepo, StoredSession } from './sessionRepo';
import type { VitalsRepo } from './vitalsRepo';

/** A session's stored inputs to the rule engine besides the session itself. */
export interface StoredInputs {
  observations: Observation[];
  lastNibpAt: number | null;
  /** Infusions given to the patient in the 12 months before this session, and this one (Q8). */
  treatments: number;
  lastFrame: { t: number; receivedAt: number } | null;
  /** Only for the sessions asked with their events (those on a time of their own); null otherwise. */
  infusionEvents: InfusionEvent[] | null;
}

/** The window of past treatments the rules count (Q8: in the last 12 months). */
export const TREATMENT_WINDOW_MS = 365 * 24 * 3_600_000;

/**
 * The rule inputs of many sessions, one statement per table per 500 sessions (a takeover reads the
 * sessions it took in one batch; a single session is a batch of one). Every asked session has an entry.
 */
export async function readRuleInputs(
  repos: { sessions: SessionRepo; vitals: VitalsRepo; observations: ObservationRepo },
  sessions: readonly StoredSession[],
  withEvents: ReadonlySet<string>,
): Promise<Map<string, StoredInputs>> {
  const ids = sessions.map((s) => s.id);
  const [observations, last, given, events] = await Promise.all([
    repos.observations.listOf(ids),
    repos.vitals.lastFramesOf(ids),
    repos.sessions.infusionsGivenBefore(sessions, TREATMENT_WINDOW_MS),
    withEvents.size ? repos.sessions.eventsOf([...withEvents]) : new Map<string, InfusionEvent[]>(),
  ]);
  return new Map(
    ids.map((id) => [
      id,
      {
        observations: observations.get(id) ?? [],
        lastNibpAt: last.get(id)?.lastNibpAt ?? null,
        treatments: (given.get(id) ?? 0) + 1,
        lastFrame: last.get(id)?.lastFrame ?? null,
        infusionEvents: withEvents.has(id) ? (events.get(id) ?? []) : null,
      },
    ]),
  );
}
