import { describe, expect, it } from 'vitest';
import type { InfusionEvent, TrendPoint } from '@infusion/shared';
import { T0, alarm, samples } from '../testFixtures';
import { limitLines } from './limitLines';
import { buildPanelData, markers, rateData, segments, updatePanelData } from './trendData';

const HR = ['hr'] as const;

describe('panel data', () => {
  it('breaks the line at a 3-minute hole in a 1 Hz stream instead of drawing across it', () => {
    const trend = [...samples(T0, T0 + 60_000, 1000), ...samples(T0 + 240_000, T0 + 300_000, 1000)];
    const d = buildPanelData(HR, trend);
    expect(segments(d.columns[0]!, d.columns[1]!)).toEqual([
      [T0, T0 + 60_000],
      [T0 + 240_000, T0 + 300_000],
    ]);
  });

  it('keeps a steady stream in one line, a single late sample included', () => {
    const trend = samples(T0, T0 + 60_000, 1000).filter((s) => s.t !== T0 + 30_000);
    const d = buildPanelData(HR, trend);
    expect(segments(d.columns[0]!, d.columns[1]!)).toHaveLength(1);
  });

  it('breaks a downsampled trend at a missing bucket, and keeps each bucket’s min and max', () => {
    const trend: TrendPoint[] = [0, 1, 2, 4, 5].map((i) => ({ t: T0 + i * 16_000, spo2: 96, min: { spo2: i === 1 ? 84 : 95 }, max: { spo2: 97 } }));
    const d = buildPanelData(['spo2'], trend);
    expect(segments(d.columns[0]!, d.columns[1]!)).toEqual([
      [T0, T0 + 32_000],
      [T0 + 64_000, T0 + 80_000],
    ]);
    expect(d.columns[2]).toContain(84);
    expect(d.bucketed).toBe(true);
  });

  it('appends live samples to the columns already built, with a gap where the stream stopped', () => {
    const first = samples(T0, T0 + 10_000, 1000);
    const d1 = buildPanelData(HR, first);
    const cols = d1.columns;
    const next = [...first, ...samples(T0 + 200_000, T0 + 202_000, 1000)];
    const d2 = updatePanelData(d1, HR, next);
    expect(d2.columns).toBe(cols);
    expect(segments(d2.columns[0]!, d2.columns[1]!)).toEqual([
      [T0, T0 + 10_000],
      [T0 + 200_000, T0 + 202_000],
    ]);
    // Anything but an append (a new window) rebuilds.
    expect(updatePanelData(d2, HR, samples(T0 + 100_000, T0 + 110_000, 1000)).columns).not.toBe(cols);
  });
});

describe('infusion rate and dose', () => {
  const ev = (id: number, type: InfusionEvent['type'], t: number, rateMgKgH: number | null = null, doseMg: number | null = null): InfusionEvent => ({ id, sessionId: 's1', type, t, rateMgKgH, doseMg, note: null, by: 'user:nurse' });

  it('draws the rate as steps (0 while paused) and the dose rising with it, a bolus as a jump', () => {
    const events = [ev(1, 'start', T0, 0.5), ev(2, 'bolus', T0 + 1_800_000, null, 7), ev(3, 'pause', T0 + 3_600_000), ev(4, 'resume', T0 + 5_400_000)];
    const { columns, cumulativeMg } = rateData(events, 70, T0 + 7_200_000);
    const [xs, rate, mg] = columns;
    const at = (t: number) => xs.lastIndexOf(t);
    expect(rate[at(T0)]).toBe(0.5);
    // Just before the pause the rate is still 0.5; from the pause on it is 0.
    expect(rate[at(T0 + 3_600_000)]).toBe(0.5);
    expect(rate[at(T0 + 3_600_001)]).toBe(0);
    // 0.5 mg/kg/h x 70 kg for 1 h + 7 mg bolus, nothing while paused, 0.5 h more.
    expect(mg[at(T0 + 3_600_000)]).toBeCloseTo(42);
    expect(cumulativeMg).toBeCloseTo(42 + 17.5);
  });
});

describe('markers and limits', () => {
  it('marks infusion events, rescue drugs and alarms in the alarm’s priority colour', () => {
    const m = markers(
      [{ id: 1, sessionId: 's1', type: 'start', t: T0, rateMgKgH: 0.5, doseMg: null, note: null, by: 'user:nurse' }],
      [{ id: 1, sessionId: 's1', drugId: 'midazolam', drug: 'Midazolam', doseMg: 2, route: 'IV', alarmId: null, t: T0 + 5000, note: null, by: 'user:nurse' }],
      [alarm({ priority: 'high', startedAt: T0 + 1000, field: 'spo2', message: 'SpO2 85 < 88' })],
    );
    expect(m.map((x) => [x.kind, x.detail])).toEqual([
      ['infusion', 'start'],
      ['alarm', 'high'],
      ['rescue', 'midazolam'],
    ]);
    expect(m[1]!.colour).toBe('#d90429');
    expect(m[0]!.label).toBe('Start 0.5 mg/kg/h');
  });

  it('draws enabled threshold limits and marks the changed ones', () => {
    const rules = [
      { id: 'spo2.low', kind: 'threshold', field: 'spo2', op: '<', limit: 90, priority: 'medium' },
      { id: 'spo2.low.high', kind: 'threshold', field: 'spo2', op: '<', limit: 85, priority: 'high' },
      { id: 'hr.high', kind: 'threshold', field: 'hr', op: '>', limit: 150, priority: 'medium', enabled: false },
      { id: 'apnea', kind: 'no_breath', priority: 'high' },
    ];
    const lines = limitLines({ rules } as never, [{ ruleId: 'spo2.low', param: 'limit' }]);
    expect(lines.map((l) => [l.field, l.value, l.changed, l.label])).toEqual([
      ['spo2', 90, true, 'SpO2 < 90 (changed)'],
      ['spo2', 85, false, 'SpO2 < 85'],
    ]);
  });
});
