import { describe, expect, it } from 'vitest';
import { assessResponse, painResponse } from './response';
import { infusionCourse, infusionsGiven, seriesNotice, YEAR_MS, type CourseSession } from './series';

const H = 3_600_000;
const NOW = Date.UTC(2026, 11, 1);
const course = (id: string, startedAt: number | null, totalMg = 100, runningMs = 3 * H, pain: [number, number] = [8, 5]): CourseSession => ({
  sessionId: id,
  createdAt: (startedAt ?? NOW) - 60_000,
  endedAt: null,
  status: 'ended',
  location: 'Chair 1',
  unit: 'u',
  simulated: false,
  startedAt,
  stoppedAt: startedAt === null ? null : startedAt + runningMs,
  runningMs,
  totalMg,
  mgPerKg: totalMg / 70,
  response: assessResponse(painResponse(...pain), { satisfaction: 'satisfied' }),
  adverseEffects: [],
  alarmCount: 0,
});

describe('infusion course of a session', () => {
  it('counts running time without pauses, from the first start to the last stop', () => {
    const c = infusionCourse(
      [
        { type: 'start', t: 0 },
        { type: 'pause', t: H },
        { type: 'resume', t: 1.5 * H },
        { type: 'stop', t: 2.5 * H },
      ],
      10 * H,
    );
    expect(c).toEqual({ startedAt: 0, stoppedAt: 2.5 * H, runningMs: 2 * H });
  });
  it('runs up to now while running, and never started has no start', () => {
    expect(infusionCourse([{ type: 'start', t: 0 }], H)).toEqual({ startedAt: 0, stoppedAt: null, runningMs: H });
    expect(infusionCourse([], H)).toEqual({ startedAt: null, stoppedAt: null, runningMs: 0 });
  });
});

describe('series notice at a new session', () => {
  it('counts only infusions given in the last 12 months (sessions that never started do not count)', () => {
    const s = [course('a', NOW - 400 * 24 * H), course('b', NOW - 30 * 24 * H), course('c', null), course('d', NOW - 2 * 24 * H)];
    expect(infusionsGiven(s, NOW)).toBe(2);
    expect(seriesNotice(s, 'new', NOW).infusionsLast12Months).toBe(2);
    expect(infusionsGiven([course('x', NOW - YEAR_MS)], NOW)).toBe(0);
  });
  it('says where the count stands against Q8 and cites it', () => {
    const many = Array.from({ length: 13 }, (_, i) => course(`s${i}`, NOW - (i + 1) * 20 * 24 * H));
    const n = seriesNotice(many, null, NOW);
    expect(n.infusionsLast12Months).toBe(13);
    expect(n.perYearText).toMatch(/above the guideline's 6 to 12 a year/);
    expect(n.perYearSource).toMatch(/Q8/);
    expect(seriesNotice(many.slice(0, 7), null, NOW).perYearText).toMatch(/within the guideline's upper range/);
  });
  it('checks the first course against Q3 (at least 80 mg over more than 2 h)', () => {
    const adequate = seriesNotice([course('a', NOW - 10 * 24 * H, 96, 2.5 * H), course('b', NOW - 5 * 24 * H, 40, H)], 'new', NOW).firstCourse!;
    expect(adequate).toMatchObject({ sessionId: 'a', adequate: true, totalMg: 96 });
    expect(adequate.text).toBe('First course: 96 mg over 2 h 30 min: an adequate first course (at least 80 mg over more than 2 h)');
    expect(adequate.source).toMatch(/Q3/);
    const short = seriesNotice([course('a', NOW - 10 * 24 * H, 96, 2 * H)], 'new', NOW).firstCourse!;
    expect(short.adequate).toBe(false);
    expect(short.text).toMatch(/cannot yet be judged ineffective/);
    expect(seriesNotice([course('a', NOW - 10 * 24 * H, 79, 3 * H)], 'new', NOW).firstCourse!.adequate).toBe(false);
  });
  it('asks to reassess before a further infusion (Q8: not by rote), naming the last response', () => {
    const first = seriesNotice([], 'new', NOW);
    expect(first.firstCourse).toBeNull();
    expect(first.reassessText).toMatch(/First infusion of the course/);
    const n = seriesNotice([course('a', NOW - 10 * 24 * H, 100, 3 * H, [8, 6])], 'new', NOW);
    expect(n.reassessText).toBe('Reassess before this infusion, not by rote: last response not positive (pain 25% lower)');
    expect(n.reassessSource).toMatch(/Q8.*not be administered by rote/);
  });
});
