import type {
  ChecklistInput,
  ChecklistRecord,
  DischargeAssessment,
  DischargeInput,
  DischargeRecord,
  DoseCheck,
  EndOutcome,
  InfusionEvent,
  InfusionEventInput,
  Observation,
  ObservationScale,
  Order,
  OrderInput,
  RescueDose,
  RescueDoseInput,
  RuleOverride,
  Session,
} from '@infusion/shared';
import { api } from '../auth/authActions';
import type { ApiResult } from '../auth/http';
import { addInfusionEvent, addObservation, addRescueDose, applyChecklist, applyDischarge, applyOrder, applySession } from '../stores/monitorState';
import { updateMonitor } from '../stores/useMonitor';

/**
 * Bedside documentation on a session (REST, CSRF-protected). Each answer is applied to the store at
 * once; the live event that follows (same id) is merged, not duplicated.
 */

const base = (sessionId: string) => `/api/sessions/${encodeURIComponent(sessionId)}`;

export async function recordObservation(sessionId: string, body: { scale: ObservationScale; score: number; note?: string }): Promise<ApiResult<Observation>> {
  const res = await api<Observation>('POST', `${base(sessionId)}/observations`, body);
  if (res.ok) updateMonitor((s) => addObservation(s, res.data));
  return res;
}

export async function submitChecklist(sessionId: string, input: ChecklistInput): Promise<ApiResult<ChecklistRecord>> {
  const res = await api<ChecklistRecord>('PUT', `${base(sessionId)}/checklist`, input);
  if (res.ok) updateMonitor((s) => applyChecklist(s, sessionId, res.data));
  return res;
}

export async function overrideChecklist(sessionId: string, reason: string): Promise<ApiResult<ChecklistRecord>> {
  const res = await api<ChecklistRecord>('POST', `${base(sessionId)}/checklist/override`, { reason });
  if (res.ok) updateMonitor((s) => applyChecklist(s, sessionId, res.data));
  return res;
}

export async function documentInfusion(sessionId: string, input: InfusionEventInput): Promise<ApiResult<{ session: Session; event: InfusionEvent }>> {
  const res = await api<{ session: Session; event: InfusionEvent }>('POST', `${base(sessionId)}/infusion`, input);
  if (res.ok) updateMonitor((s) => addInfusionEvent(applySession(s, res.data.session), res.data.event));
  return res;
}

export async function documentRescue(sessionId: string, input: RescueDoseInput): Promise<ApiResult<RescueDose>> {
  const res = await api<RescueDose>('POST', `${base(sessionId)}/rescue`, input);
  if (res.ok) updateMonitor((s) => addRescueDose(s, res.data));
  return res;
}

export async function pauseAudio(sessionId: string): Promise<ApiResult<Session>> {
  const res = await api<Session>('POST', `${base(sessionId)}/audio-pause`);
  if (res.ok) updateMonitor((s) => applySession(s, res.data));
  return res;
}

export async function setLimits(sessionId: string, overrides: Record<string, RuleOverride>, reason: string): Promise<ApiResult<Session>> {
  const res = await api<Session>('PUT', `${base(sessionId)}/limits`, { overrides, reason });
  if (res.ok) updateMonitor((s) => applySession(s, res.data));
  return res;
}

export async function resetLimits(sessionId: string): Promise<ApiResult<Session>> {
  const res = await api<Session>('DELETE', `${base(sessionId)}/limits`);
  if (res.ok) updateMonitor((s) => applySession(s, res.data));
  return res;
}

export const sessionRulesPath = (sessionId: string) => `${base(sessionId)}/rules`;

/** What a start, rate change or bolus would meet (limits, crossings, outcome); stores nothing. */
export const previewDose = (sessionId: string, input: InfusionEventInput) => api<DoseCheck>('POST', `${base(sessionId)}/dose-check`, input);

export async function writeOrder(sessionId: string, input: OrderInput): Promise<ApiResult<{ order: Order; checklist: ChecklistRecord | null }>> {
  const res = await api<{ order: Order; checklist: ChecklistRecord | null }>('PUT', `${base(sessionId)}/order`, input);
  if (res.ok) updateMonitor((s) => applyChecklist(applyOrder(s, sessionId, res.data.order), sessionId, res.data.checklist));
  return res;
}

export async function loadOrder(sessionId: string): Promise<ApiResult<{ order: Order | null; history: Order[] }>> {
  const res = await api<{ order: Order | null; history: Order[] }>('GET', `${base(sessionId)}/order`);
  if (res.ok) updateMonitor((s) => applyOrder(s, sessionId, res.data.order));
  return res;
}

/** The discharge criteria for these answers as they stand now; stores nothing. */
export const assessDischarge = (sessionId: string, input: DischargeInput) => api<DischargeAssessment>('POST', `${base(sessionId)}/discharge/assess`, input);

/** Discharge from recovery (a physician's override carries `override.reason`). */
export async function dischargeSession(sessionId: string, input: DischargeInput): Promise<ApiResult<{ session: Session; discharge: DischargeRecord }>> {
  const res = await api<{ session: Session; discharge: DischargeRecord }>('POST', `${base(sessionId)}/discharge`, input);
  if (res.ok) updateMonitor((s) => applyDischarge(applySession(s, res.data.session), res.data.discharge));
  return res;
}

/** Ends the session early or as a transfer, with the reason (refused while the infusion runs). */
export async function endSession(sessionId: string, outcome: EndOutcome, reason: string): Promise<ApiResult<Session>> {
  const res = await api<Session>('POST', `${base(sessionId)}/end`, { outcome, reason });
  if (res.ok) updateMonitor((s) => applySession(s, res.data));
  return res;
}
