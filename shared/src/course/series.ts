import type { InfusionEvent } from '../sessions';
import type { AdverseEffect } from './adverseEffects';
import type { Patient } from './patients';
import type { FollowUp, ResponseAssessment } from './response';

const G = 'ASRA/AAPM/ASA 2018';
export const YEAR_MS = 365 * 24 * 3_600_000;

/**
 * What a course of infusions is judged against at the start of each new session: Q8's 6-12 a year,
 * Q3's adequate first course (at least 80 mg over more than 2 h before judging it ineffective), and
 * Q8's "not by rote": reassess before every further infusion.
 */
export const SERIES_CRITERIA = {
  perYear: { min: 6, max: 12, source: `${G}, Q8: limiting treatments to no more than 6 to 12 per year is reasonable (grade C)` },
  firstCourse: { minMg: 80, minMs: 2 * 3_600_000, source: `${G}, Q3: start with a single outpatient infusion of at least 80 mg lasting more than 2 hours and reassess before further treatments` },
  reassess: { source: `${G}, Q8: a series of infusions should not be administered by rote, but tailored to patient response` },
} as const;

/** The infusion of one session as given: when it first started and last stopped, time running, total dose. */
export interface InfusionCourse {
  startedAt: number | null;
  stoppedAt: number | null;
  /** Time the infusion ran (pauses excluded), up to `now` while it runs. */
  runningMs: number;
}

export function infusionCourse(events: Pick<InfusionEvent, 'type' | 't'>[], now: number): InfusionCourse {
  let runningSince: number | null = null;
  let runningMs = 0;
  let startedAt: number | null = null;
  let stoppedAt: number | null = null;
  for (const e of [...events].sort((a, b) => a.t - b.t)) {
    if (e.type === 'start' || e.type === 'resume') {
      if (e.type === 'start') startedAt ??= e.t;
      runningSince ??= e.t;
    } else if (e.type === 'pause' || e.type === 'stop') {
      if (runningSince !== null) runningMs += e.t - runningSince;
      runningSince = null;
      if (e.type === 'stop') stoppedAt = e.t;
    }
  }
  if (runningSince !== null) {
    runningMs += Math.max(0, now - runningSince);
    stoppedAt = null;
  }
  return { startedAt, stoppedAt, runningMs };
}

/** One session of a patient as the patient page lists it. */
export interface CourseSession extends InfusionCourse {
  sessionId: string;
  createdAt: number;
  endedAt: number | null;
  status: 'active' | 'ended';
  location: string;
  unit: string;
  simulated: boolean;
  totalMg: number;
  mgPerKg: number;
  response: ResponseAssessment;
  adverseEffects: Pick<AdverseEffect, 'id' | 'type' | 'severity' | 't'>[];
  alarmCount: number;
}

export interface PatientRecord {
  patient: Patient;
  /** A page of the sessions the user may see, newest first (`GET /api/patients/:id?limit=&cursor=`). */
  sessions: CourseSession[];
  /** The cursor of the next (older) page, or null when this page holds the oldest session. */
  sessionsCursor: string | null;
  followUps: FollowUp[];
}

export interface FirstCourseCheck {
  sessionId: string;
  startedAt: number;
  totalMg: number;
  runningMs: number;
  /** At least 80 mg over more than 2 h (Q3). */
  adequate: boolean;
  text: string;
  source: string;
}

export interface SeriesNotice {
  /** Infusions actually given (sessions started) in the 12 months before `at`, this session included once started. */
  infusionsLast12Months: number;
  perYearText: string;
  perYearSource: string;
  /** null: this is the patient's first course (or none was given yet). */
  firstCourse: FirstCourseCheck | null;
  reassessText: string;
  reassessSource: string;
}

const hm = (ms: number) => {
  const min = Math.round(ms / 60_000);
  return `${Math.floor(min / 60)} h ${String(min % 60).padStart(2, '0')} min`;
};

/** Infusions given: sessions whose infusion started within the 12 months up to `at`. */
export function infusionsGiven(sessions: Pick<CourseSession, 'startedAt'>[], at: number): number {
  return sessions.filter((s) => s.startedAt !== null && s.startedAt > at - YEAR_MS && s.startedAt <= at).length;
}

/** The notice shown when a new session of the patient begins (admission, pre-infusion). */
export function seriesNotice(sessions: CourseSession[], currentSessionId: string | null, at: number): SeriesNotice {
  const n = infusionsGiven(sessions, at);
  const { min, max } = SERIES_CRITERIA.perYear;
  const perYearText =
    n > max
      ? `${n} infusions given in the last 12 months: above the guideline's 6 to 12 a year (only in exceptional circumstances)`
      : n > min
        ? `${n} infusions given in the last 12 months: within the guideline's upper range of 6 to 12 a year`
        : `${n} infusion${n === 1 ? '' : 's'} given in the last 12 months (guideline: no more than 6 to 12 a year)`;
  const first = sessions.filter((s) => s.startedAt !== null && s.sessionId !== currentSessionId).sort((a, b) => a.startedAt! - b.startedAt!)[0];
  let firstCourse: FirstCourseCheck | null = null;
  if (first) {
    const adequate = first.totalMg >= SERIES_CRITERIA.firstCourse.minMg && first.runningMs > SERIES_CRITERIA.firstCourse.minMs;
    const given = `First course: ${Math.round(first.totalMg)} mg over ${hm(first.runningMs)}`;
    firstCourse = {
      sessionId: first.sessionId,
      startedAt: first.startedAt!,
      totalMg: first.totalMg,
      runningMs: first.runningMs,
      adequate,
      text: adequate
        ? `${given}: an adequate first course (at least 80 mg over more than 2 h)`
        : `${given}: below at least 80 mg over more than 2 h, so it cannot yet be judged ineffective`,
      source: SERIES_CRITERIA.firstCourse.source,
    };
  }
  const last = sessions.filter((s) => s.startedAt !== null && s.sessionId !== currentSessionId).sort((a, b) => b.startedAt! - a.startedAt!)[0];
  const lastResponse = last?.response.positive;
  const reassessText = !last
    ? 'First infusion of the course: reassess the response before any further infusion'
    : `Reassess before this infusion, not by rote: last response ${lastResponse === true ? 'positive' : lastResponse === false ? 'not positive' : 'not assessed'}${last.response.pain.decreasePct !== null ? ` (pain ${last.response.pain.decreasePct}% lower)` : ''}`;
  return { infusionsLast12Months: n, perYearText, perYearSource: SERIES_CRITERIA.perYear.source, firstCourse, reassessText, reassessSource: SERIES_CRITERIA.reassess.source };
}
