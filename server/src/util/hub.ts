import type { AlarmUpdate, Escalation, InfusionEvent, Observation, RescueDose, Session, VitalsSample } from '@infusion/shared';

/** Domain events, fanned out to the realtime layer (and anything else that listens). */
export interface HubEvents {
  alarm: (u: AlarmUpdate) => void;
  session: (s: Session) => void;
  infusionEvent: (e: InfusionEvent) => void;
  vitals: (sessionId: string, sample: VitalsSample) => void;
  escalation: (e: Escalation) => void;
  observation: (o: Observation) => void;
  rescueDose: (d: RescueDose) => void;
}

export class Hub {
  private readonly listeners: { [K in keyof HubEvents]: HubEvents[K][] } = { alarm: [], session: [], infusionEvent: [], vitals: [], escalation: [], observation: [], rescueDose: [] };

  on<K extends keyof HubEvents>(k: K, fn: HubEvents[K]): void {
    this.listeners[k].push(fn);
  }

  emit<K extends keyof HubEvents>(k: K, ...args: Parameters<HubEvents[K]>): void {
    for (const fn of this.listeners[k]) (fn as (...a: Parameters<HubEvents[K]>) => void)(...args);
  }
}
