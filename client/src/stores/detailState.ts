import type { LiveVitals, SessionDetail, TrendPoint } from '@infusion/shared';
import { boundTrend, mergeSamples } from './trend';

/** The open session page's whole-session trend (the overview keeps only 15 minutes). */
export interface DetailState {
  sessionId: string | null;
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  trend: TrendPoint[];
}

export const initialDetailState: DetailState = { sessionId: null, status: 'idle', error: null, trend: [] };

/** Points kept per open session; older ones are thinned beyond this (charts stay responsive). */
export const MAX_DETAIL_POINTS = 4000;

/** Start (or refresh, after a reconnect) the detail of a session; a refresh keeps what is already drawn. */
export function detailRequested(s: DetailState, sessionId: string): DetailState {
  if (s.sessionId === sessionId) return { ...s, status: s.status === 'ready' ? 'ready' : 'loading', error: null };
  return { sessionId, status: 'loading', error: null, trend: [] };
}

export function detailReceived(s: DetailState, d: SessionDetail): DetailState {
  if (s.sessionId !== d.session.id) return s;
  return { ...s, status: 'ready', error: null, trend: boundTrend(mergeSamples(s.trend, d.trend), MAX_DETAIL_POINTS) };
}

export function detailFailed(s: DetailState, sessionId: string, error: string): DetailState {
  return s.sessionId === sessionId ? { ...s, status: 'error', error } : s;
}

export function detailVitals(s: DetailState, batch: readonly LiveVitals[]): DetailState {
  if (s.sessionId === null) return s;
  let trend = s.trend;
  for (const v of batch) if (v.sessionId === s.sessionId) trend = mergeSamples(trend, v.samples);
  return trend === s.trend ? s : { ...s, trend: boundTrend(trend, MAX_DETAIL_POINTS) };
}

export function detailClosed(): DetailState {
  return initialDetailState;
}
