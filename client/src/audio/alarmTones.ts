import type { AlarmPriority } from '@infusion/shared';

interface Burst {
  /** Pulse start offsets within the burst, seconds. */
  offsets: number[];
  pulseS: number;
  hz: number;
  /** Burst repeat interval (IEC 60601-1-8: high 2.5-15 s, medium 2.5-30 s). */
  repeatMs: number;
}

const spaced = (groups: number[], step: number, groupGap: number) => {
  const out: number[] = [];
  let t = 0;
  for (const n of groups) {
    for (let i = 0; i < n; i++, t += step) out.push(t);
    t += groupGap;
  }
  return out;
};

/** High: 10 pulses (3+2+3+2); medium: 3 pulses; low: silent. */
export const BURSTS: Record<AlarmPriority, Burst | null> = {
  high: { offsets: spaced([3, 2, 3, 2], 0.2, 0.3), pulseS: 0.12, hz: 960, repeatMs: 6000 },
  medium: { offsets: spaced([3], 0.35, 0), pulseS: 0.2, hz: 660, repeatMs: 12000 },
  low: null,
};

export type AudioState = 'none' | AudioContextState;

/**
 * Web Audio alarm tones. Browsers only let an AudioContext run after a user gesture, so it is
 * started from the login click (and again from any later click or key while it is not running).
 * There is no way to turn it off: only a session's audio pause, which the server times and discloses.
 * Every failure is swallowed: sound is an addition to the visual signal, never a dependency.
 */
export class AlarmTones {
  private ctx: AudioContext | null = null;
  private readonly listeners = new Set<() => void>();
  /** Bursts started since the page loaded (shown on the audio status, so a test can see sound play). */
  bursts = 0;

  get state(): AudioState {
    return this.ctx?.state ?? 'none';
  }

  /** Called on every change of `state` or `bursts`. */
  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(): void {
    for (const fn of this.listeners) fn();
  }

  /** Call from a user gesture (click, key). Returns whether sound is available. */
  async enable(): Promise<boolean> {
    try {
      if (!this.ctx) {
        this.ctx = new AudioContext();
        this.ctx.addEventListener('statechange', () => this.changed());
        this.changed();
      }
      if (this.ctx.state === 'suspended') await this.ctx.resume();
      return this.ctx.state === 'running';
    } catch {
      return false;
    }
  }

  play(priority: AlarmPriority): void {
    const burst = BURSTS[priority];
    const ctx = this.ctx;
    if (!burst || !ctx || ctx.state !== 'running') return;
    this.bursts++;
    this.changed();
    try {
      const start = ctx.currentTime + 0.02;
      for (const off of burst.offsets) {
        const osc = ctx.createOscillator();
        const gain = ctx.createGain();
        osc.type = 'square';
        osc.frequency.value = burst.hz;
        const t0 = start + off;
        // Short ramps avoid clicks.
        gain.gain.setValueAtTime(0, t0);
        gain.gain.linearRampToValueAtTime(0.15, t0 + 0.01);
        gain.gain.setValueAtTime(0.15, t0 + burst.pulseS - 0.01);
        gain.gain.linearRampToValueAtTime(0, t0 + burst.pulseS);
        osc.connect(gain).connect(ctx.destination);
        osc.start(t0);
        osc.stop(t0 + burst.pulseS + 0.02);
      }
    } catch {
      // ignore: the visual signal carries the alarm
    }
  }
}

/** The page's one alarm sound (one AudioContext, started from the login click). */
export const alarmTones = new AlarmTones();
