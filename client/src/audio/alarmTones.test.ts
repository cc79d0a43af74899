import { describe, expect, it } from 'vitest';
import { BURSTS } from './alarmTones';

// IEC 60601-1-8 burst patterns (clinical-reference.md section 4).
describe('alarm burst patterns', () => {
  it('high: 10 pulses repeated within 2.5-15 s; medium: 3 pulses within 2.5-30 s; low: silent', () => {
    expect(BURSTS.high!.offsets).toHaveLength(10);
    expect(BURSTS.high!.repeatMs).toBeGreaterThanOrEqual(2500);
    expect(BURSTS.high!.repeatMs).toBeLessThanOrEqual(15000);
    expect(BURSTS.medium!.offsets).toHaveLength(3);
    expect(BURSTS.medium!.repeatMs).toBeGreaterThanOrEqual(2500);
    expect(BURSTS.medium!.repeatMs).toBeLessThanOrEqual(30000);
    expect(BURSTS.low).toBeNull();
  });

  it('each burst ends before the next one starts', () => {
    for (const b of [BURSTS.high!, BURSTS.medium!]) expect((b.offsets.at(-1)! + b.pulseS) * 1000).toBeLessThan(b.repeatMs);
  });
});
