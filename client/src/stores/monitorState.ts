import type {
  Alarm,
  AlarmUpdate,
  ChecklistRecord,
  DischargeRecord,
  Escalation,
  InfusionEvent,
  LiveVitals,
  Observation,
  Order,
  PhysicianResponse,
  RescueDose,
  AdverseEffect,
  RuleSetRef,
  Session,
  SessionDetail,
  Snapshot,
  TrendPoint,
} from '@infusion/shared';
import { mergeUnversionedAlarm } from './alarmMerge';
import { escalationsFromSnapshot, upsertEscalation, type EscalationMap } from './escalationState';
import { newerSession } from './sessionMerge';
import { capTrend, mergeSamples } from './trend';

/**
 * Everything the dashboard knows, built only from socket messages.
 * Every function here is pure (state in, state out) and returns the same object when nothing changed.
 */
export interface MonitorState {
  sessions: Record<string, Session>;
  /** Unresolved alarms plus the resolved ones seen while this page was open (for the session alarm list). */
  alarms: Record<number, Alarm>;
  /** Event id of the last update applied to each alarm: replays and stale copies are ignored per alarm. */
  alarmVersions: Record<number, number>;
  /** Highest AlarmUpdate.eventId seen; sent on (re)subscribe. Undefined until the first snapshot or update. */
  lastAlarmEventId: number | undefined;
  /** Last TREND_WINDOW_MS of samples per session, ordered by t. */
  trends: Record<string, TrendPoint[]>;
  infusionEvents: Record<string, InfusionEvent[]>;
  ruleSet: RuleSetRef | null;
  /** Escalations this user receives (open, and finished ones seen while the page was open). */
  escalations: EscalationMap;
  /** Sedation and pain scores per session, ordered by t. */
  observations: Record<string, Observation[]>;
  /** Documented rescue doses per session, ordered by t. */
  rescueDoses: Record<string, RescueDose[]>;
  /** Adverse effects per session (session detail, `adverseEffect` events). */
  adverseEffects: Record<string, AdverseEffect[]>;
  /** The pre-infusion checklist per session, once known (null: none submitted). */
  checklists: Record<string, ChecklistRecord | null>;
  /** Discharge records of sessions whose page was opened or that were discharged here. */
  discharges: Record<string, DischargeRecord | null>;
  /** The physician's current order per session, once known (null: none written). */
  orders: Record<string, Order | null>;
  /** Physician responses per session, oldest first (the snapshot brings each session's latest, its page all). */
  responses: Record<string, PhysicianResponse[]>;
  /** Server clock minus this page's clock (from the last snapshot): countdowns use server time. */
  clockOffsetMs: number;
  /** The server's fixed audio pause duration (from the snapshot); null until known. Countdowns never exceed it. */
  audioPauseMs: number | null;
}

export const initialMonitorState: MonitorState = {
  sessions: {},
  alarms: {},
  alarmVersions: {},
  lastAlarmEventId: undefined,
  trends: {},
  infusionEvents: {},
  ruleSet: null,
  escalations: {},
  observations: {},
  rescueDoses: {},
  adverseEffects: {},
  checklists: {},
  discharges: {},
  orders: {},
  responses: {},
  clockOffsetMs: 0,
  audioPauseMs: null,
};

/** Resolved alarms kept for the session pages; the oldest go first beyond this. */
export const MAX_RESOLVED_ALARMS = 1000;

export function applyAlarmUpdate(s: MonitorState, u: AlarmUpdate): MonitorState {
  const id = u.alarm.id;
  const applied = s.alarmVersions[id];
  if (applied !== undefined && u.eventId <= applied) return s;
  const alarms = { ...s.alarms, [id]: u.alarm };
  return {
    ...s,
    alarms: u.alarm.state === 'resolved' ? pruneResolved(alarms) : alarms,
    alarmVersions: { ...s.alarmVersions, [id]: u.eventId },
    lastAlarmEventId: Math.max(s.lastAlarmEventId ?? 0, u.eventId),
  };
}

function pruneResolved(alarms: Record<number, Alarm>): Record<number, Alarm> {
  const resolved = Object.values(alarms).filter((a) => a.state === 'resolved');
  if (resolved.length <= MAX_RESOLVED_ALARMS) return alarms;
  resolved.sort((a, b) => (a.resolvedAt ?? a.startedAt) - (b.resolvedAt ?? b.startedAt));
  const out = { ...alarms };
  for (const a of resolved.slice(0, resolved.length - MAX_RESOLVED_ALARMS)) delete out[a.id];
  return out;
}

/**
 * Merge a (re)subscribe snapshot; sentLastAlarmEventId is what the subscribe request carried. Live events may already have arrived before the ack, so nothing
 * the snapshot says may undo a newer update; and local trend history is kept, not wiped.
 * receivedAt (this page's clock when the answer came) sets the server clock offset.
 */
export function applySnapshot(s: MonitorState, snap: Snapshot, sentLastAlarmEventId: number | undefined, receivedAt?: number): MonitorState {
  // A server whose alarm log restarted answers below the id we subscribed with; its new ids would
  // otherwise be ignored forever. (Live updates newer than the snapshot are compared per alarm below.)
  const logRestarted = sentLastAlarmEventId !== undefined && snap.lastAlarmEventId < sentLastAlarmEventId;
  let next: MonitorState = logRestarted ? { ...s, alarms: {}, alarmVersions: {}, lastAlarmEventId: undefined } : s;

  for (const u of snap.missedAlarmUpdates) next = applyAlarmUpdate(next, u);

  // The snapshot's unresolved list is authoritative as of snap.lastAlarmEventId.
  const alarms = { ...next.alarms };
  const alarmVersions = { ...next.alarmVersions };
  const newerThanSnapshot = (id: number) => (alarmVersions[id] ?? -1) > snap.lastAlarmEventId;
  const inSnapshot = new Set<number>();
  for (const a of snap.alarms) {
    inSnapshot.add(a.id);
    if (newerThanSnapshot(a.id)) continue;
    alarms[a.id] = a;
    alarmVersions[a.id] = snap.lastAlarmEventId;
  }
  for (const a of Object.values(alarms)) {
    // Held as unresolved here, unknown to the server and not updated since: the server dropped it.
    if (a.state !== 'resolved' && !inSnapshot.has(a.id) && !newerThanSnapshot(a.id)) delete alarms[a.id];
  }

  const sessions: Record<string, Session> = {};
  for (const sess of snap.sessions) sessions[sess.id] = newerSession(next.sessions[sess.id], sess);
  for (const local of Object.values(next.sessions)) {
    if (sessions[local.id]) continue;
    // Kept: ended sessions (their pages stay readable) and sessions created after the snapshot was taken.
    // Dropped: a session that ended while we were away; its page re-fetches its detail.
    if (local.status === 'ended' || local.createdAt > snap.serverTime) sessions[local.id] = local;
  }

  const trends: Record<string, TrendPoint[]> = {};
  for (const [id, trend] of Object.entries(next.trends)) {
    if (sessions[id]?.status === 'active') trends[id] = trend;
  }
  for (const [id, samples] of Object.entries(snap.trends)) {
    trends[id] = capTrend(mergeSamples(trends[id] ?? [], samples));
  }

  const keep = <T>(bySession: Record<string, T>): Record<string, T> => {
    const out: Record<string, T> = {};
    for (const [id, v] of Object.entries(bySession)) if (sessions[id]) out[id] = v;
    return out;
  };

  return {
    sessions,
    alarms,
    alarmVersions,
    lastAlarmEventId: Math.max(next.lastAlarmEventId ?? 0, snap.lastAlarmEventId),
    trends,
    infusionEvents: keep(next.infusionEvents),
    ruleSet: snap.ruleSet,
    escalations: escalationsFromSnapshot(next.escalations, snap.escalations ?? [], snap.recentEscalations ?? []),
    observations: keep(next.observations),
    rescueDoses: keep(next.rescueDoses),
    adverseEffects: keep(next.adverseEffects),
    checklists: keep(next.checklists),
    discharges: keep(next.discharges),
    orders: keep(next.orders),
    responses: mergeResponses(keep(next.responses), snap.responses ?? []),
    clockOffsetMs: receivedAt === undefined ? next.clockOffsetMs : snap.serverTime - receivedAt,
    audioPauseMs: snap.audioPauseMs ?? next.audioPauseMs,
  };
}

export function applyVitals(s: MonitorState, batch: readonly LiveVitals[]): MonitorState {
  let trends: Record<string, TrendPoint[]> | null = null;
  for (const { sessionId, samples } of batch) {
    if (samples.length === 0 || s.sessions[sessionId]?.status === 'ended') continue;
    trends ??= { ...s.trends };
    trends[sessionId] = capTrend(mergeSamples(trends[sessionId] ?? [], samples));
  }
  return trends ? { ...s, trends } : s;
}

/** A discharge recorded here: the session page shows it at once. */
export function applyDischarge(s: MonitorState, d: DischargeRecord): MonitorState {
  return { ...s, discharges: { ...s.discharges, [d.sessionId]: d } };
}

export function applySession(s: MonitorState, session: Session): MonitorState {
  const local = s.sessions[session.id];
  const merged = newerSession(local, session);
  if (merged === local) return s;
  const next = { ...s, sessions: { ...s.sessions, [session.id]: merged } };
  if (merged.status === 'ended' && s.trends[session.id]) {
    // The overview no longer shows it; its page reads the full trend from the session detail.
    const { [session.id]: _dropped, ...trends } = s.trends;
    next.trends = trends;
  }
  return next;
}

/** Union by id (incoming wins), ordered by time then id. */
function mergeById<T extends { id: number; t: number }>(local: readonly T[], incoming: readonly T[]): T[] {
  const byId = new Map<number, T>();
  for (const x of local) byId.set(x.id, x);
  for (const x of incoming) byId.set(x.id, x);
  return [...byId.values()].sort((a, b) => a.t - b.t || a.id - b.id);
}

export function addInfusionEvent(s: MonitorState, ev: InfusionEvent): MonitorState {
  const local = s.infusionEvents[ev.sessionId] ?? [];
  return { ...s, infusionEvents: { ...s.infusionEvents, [ev.sessionId]: mergeById(local, [ev]) } };
}

/** An `observation` event or the answer to recording one (merged by id). */
export function addObservation(s: MonitorState, o: Observation): MonitorState {
  return { ...s, observations: { ...s.observations, [o.sessionId]: mergeById(s.observations[o.sessionId] ?? [], [o]) } };
}

/** A `rescueDose` event or the answer to documenting one (merged by id). */
export function addRescueDose(s: MonitorState, d: RescueDose): MonitorState {
  return { ...s, rescueDoses: { ...s.rescueDoses, [d.sessionId]: mergeById(s.rescueDoses[d.sessionId] ?? [], [d]) } };
}

/** An `adverseEffect` event or the answer to documenting one (merged by id). */
export function addAdverseEffect(s: MonitorState, a: AdverseEffect): MonitorState {
  return { ...s, adverseEffects: { ...s.adverseEffects, [a.sessionId]: mergeById(s.adverseEffects[a.sessionId] ?? [], [a]) } };
}

/**
 * The newer of two copies of a session's checklist: a later submission, the same one re-bound to a newer
 * order (which may re-open an item and drop the override), or the same one with an override added.
 */
function newerChecklist(local: ChecklistRecord | null | undefined, incoming: ChecklistRecord | null): ChecklistRecord | null {
  if (!local) return incoming;
  if (!incoming) return local;
  if (incoming.at > local.at) return incoming;
  if (incoming.at === local.at && (incoming.orderVersion ?? 0) !== (local.orderVersion ?? 0)) return (incoming.orderVersion ?? 0) > (local.orderVersion ?? 0) ? incoming : local;
  if (incoming.at === local.at && incoming.override && !local.override) return incoming;
  return local;
}

/** A checklist record: a `checklist` event, or the answer to submitting or overriding it. */
export function applyChecklist(s: MonitorState, sessionId: string, record: ChecklistRecord | null): MonitorState {
  const local = s.checklists[sessionId];
  const merged = newerChecklist(local, record);
  if (local !== undefined && merged === local) return s;
  return { ...s, checklists: { ...s.checklists, [sessionId]: merged } };
}

/** An order written here or read with the session's detail: the higher version stands (versions only grow). */
export function applyOrder(s: MonitorState, sessionId: string, order: Order | null): MonitorState {
  const local = s.orders[sessionId];
  // Orders are never withdrawn, so a null never replaces a known one.
  if (local !== undefined && (order === null || (local !== null && local.version >= order.version))) return s;
  return { ...s, orders: { ...s.orders, [sessionId]: order } };
}

/** An `escalation` event or the answer to acknowledging one. */
export function applyEscalation(s: MonitorState, e: Escalation): MonitorState {
  const escalations = upsertEscalation(s.escalations, e);
  return escalations === s.escalations ? s : { ...s, escalations };
}

/** A session:detail reply: fills the session page's alarms and events without undoing live updates. */
export function applySessionDetail(s: MonitorState, d: SessionDetail): MonitorState {
  const id = d.session.id;
  const session = newerSession(s.sessions[id], d.session);
  const alarms = { ...s.alarms };
  for (const a of d.alarms) alarms[a.id] = mergeUnversionedAlarm(alarms[a.id], a);
  const trends =
    session.status === 'active' && d.trend.length > 0
      ? { ...s.trends, [id]: capTrend(mergeSamples(s.trends[id] ?? [], d.trend)) }
      : s.trends;
  return {
    ...s,
    sessions: { ...s.sessions, [id]: session },
    alarms,
    trends,
    infusionEvents: { ...s.infusionEvents, [id]: mergeById(s.infusionEvents[id] ?? [], d.infusionEvents) },
    observations: { ...s.observations, [id]: mergeById(s.observations[id] ?? [], d.observations ?? []) },
    rescueDoses: { ...s.rescueDoses, [id]: mergeById(s.rescueDoses[id] ?? [], d.rescueDoses ?? []) },
    adverseEffects: { ...s.adverseEffects, [id]: mergeById(s.adverseEffects[id] ?? [], d.adverseEffects ?? []) },
    checklists: { ...s.checklists, [id]: newerChecklist(s.checklists[id], d.checklist ?? null) },
    discharges: d.discharge === undefined ? s.discharges : { ...s.discharges, [id]: d.discharge ?? s.discharges[id] ?? null },
    orders: d.order === undefined ? s.orders : applyOrder(s, id, d.order).orders,
    responses: mergeResponses(s.responses, d.responses ?? []),
  };
}

/** Responses merged by id into their sessions' lists, ordered by time then id. */
function mergeResponses(bySession: Record<string, PhysicianResponse[]>, incoming: readonly PhysicianResponse[]): Record<string, PhysicianResponse[]> {
  if (incoming.length === 0) return bySession;
  const out = { ...bySession };
  for (const r of incoming) {
    const list = (out[r.sessionId] ?? []).filter((x) => x.id !== r.id);
    list.push(r);
    out[r.sessionId] = list.sort((a, b) => a.at - b.at || a.id - b.id);
  }
  return out;
}

/** A `response` event or the answer to recording one (merged by id). */
export function addResponse(s: MonitorState, r: PhysicianResponse): MonitorState {
  return { ...s, responses: mergeResponses(s.responses, [r]) };
}

/** The newest response of a session (shown at the bedside), if any. */
export const latestResponse = (s: MonitorState, sessionId: string): PhysicianResponse | undefined => s.responses[sessionId]?.at(-1);

/** The alarm returned by an acknowledge ack; the broadcast AlarmUpdate that follows stays authoritative. */
export function applyAckResult(s: MonitorState, alarm: Alarm): MonitorState {
  const local = s.alarms[alarm.id];
  const merged = mergeUnversionedAlarm(local, alarm);
  return merged === local ? s : { ...s, alarms: { ...s.alarms, [alarm.id]: merged } };
}
