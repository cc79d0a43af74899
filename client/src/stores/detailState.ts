import type { LiveVitals, SessionDetail, TrendPoint } from '@infusion/shared';
import { boundTrend, mergeSamples } from './trend';

/** Trend windows of the session page; null = the whole session. */
export type TrendWindow = '15m' | '1h' | '4h' | 'all';
export const TREND_WINDOWS: Record<TrendWindow, number | null> = { '15m': 15 * 60_000, '1h': 60 * 60_000, '4h': 4 * 60 * 60_000, all: null };
export const DEFAULT_TREND_WINDOW: TrendWindow = '1h';

/** The open session page's trend for its chosen window (the overview keeps only 15 minutes). */
export interface DetailState {
  sessionId: string | null;
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  trend: TrendPoint[];
  window: TrendWindow;
  /** Increases with each window load: a reply to an older one is dropped. */
  generation: number;
}

export const initialDetailState: DetailState = { sessionId: null, status: 'idle', error: null, trend: [], window: DEFAULT_TREND_WINDOW, generation: 0 };

/** Points kept per open session; older ones are thinned beyond this (charts stay responsive). */
export const MAX_DETAIL_POINTS = 4000;

/**
 * Where a window's request starts (`sinceT` of session:detail): back from the newest sample, event
 * time. The server clamps it to the session's start and downsamples to at most 900 points, so a long
 * window arrives as buckets with their min and max, never as all raw rows.
 */
export function windowSince(w: TrendWindow, newestT: number): number {
  const ms = TREND_WINDOWS[w];
  return ms === null ? 0 : Math.max(0, Math.floor(newestT - ms));
}

/** Start (or refresh, after a reconnect) the detail of a session; a refresh keeps what is already drawn. */
export function detailRequested(s: DetailState, sessionId: string): DetailState {
  if (s.sessionId === sessionId) return { ...s, status: s.status === 'ready' ? 'ready' : 'loading', error: null };
  return { ...s, sessionId, status: 'loading', error: null, trend: [], generation: s.generation + 1 };
}

/** Another window chosen: what is drawn stays until the new window's reply replaces it. */
export function detailWindowChosen(s: DetailState, w: TrendWindow): DetailState {
  return { ...s, window: w, status: 'loading', error: null, generation: s.generation + 1 };
}

/** A refresh reply (only what is newer): merged into what is held. */
export function detailReceived(s: DetailState, d: SessionDetail): DetailState {
  if (s.sessionId !== d.session.id) return s;
  return { ...s, status: 'ready', error: null, trend: boundTrend(mergeSamples(s.trend, d.trend), MAX_DETAIL_POINTS) };
}

/**
 * A window's reply replaces the trend (mixing its buckets with another window's samples would draw a
 * saw-tooth); live samples newer than the reply are kept, so nothing that arrived meanwhile is lost.
 */
export function detailReplaced(s: DetailState, d: SessionDetail, generation: number): DetailState {
  if (s.sessionId !== d.session.id || s.generation !== generation) return s;
  const lastT = d.trend[d.trend.length - 1]?.t ?? -Infinity;
  const later = s.trend.filter((p) => p.t > lastT);
  return { ...s, status: 'ready', error: null, trend: boundTrend(mergeSamples(d.trend, later), MAX_DETAIL_POINTS) };
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
