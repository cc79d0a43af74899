import type { AlarmUpdate, ChecklistRecord, Escalation, InfusionEvent, Observation, Order, PhysicianResponse, RescueDose, Session, StorageStatus, VitalsSample } from '@infusion/shared';

/** Domain events, fanned out to the realtime layer (and anything else that listens). */
export interface HubEvents {
  alarm: (u: AlarmUpdate) => void;
  session: (s: Session) => void;
  infusionEvent: (e: InfusionEvent) => void;
  vitals: (sessionId: string, sample: VitalsSample) => void;
  escalation: (e: Escalation) => void;
  observation: (o: Observation) => void;
  rescueDose: (d: RescueDose) => void;
  storage: (s: StorageStatus) => void;
  response: (r: PhysicianResponse) => void;
  /** A physician's order written (a new version). */
  order: (o: Order) => void;
  /** The pre-infusion checklist submitted, overridden, or re-opened by a new order. */
  checklist: (c: ChecklistRecord) => void;
}

export class Hub {
  private readonly listeners: { [K in keyof HubEvents]: HubEvents[K][] } = {
    alarm: [],
    session: [],
    infusionEvent: [],
    vitals: [],
    escalation: [],
    observation: [],
    rescueDose: [],
    storage: [],
    response: [],
    order: [],
    checklist: [],
  };

  /** `onError` hears a listener that threw; the other listeners still get the event. */
  constructor(private readonly onError: (err: unknown, event: keyof HubEvents) => void = () => {}) {}

  on<K extends keyof HubEvents>(k: K, fn: HubEvents[K]): void {
    this.listeners[k].push(fn);
  }

  emit<K extends keyof HubEvents>(k: K, ...args: Parameters<HubEvents[K]>): void {
    // One failing listener (say, a write that hit a full disk) must not keep an alarm from the screens.
    for (const fn of this.listeners[k]) {
      try {
        (fn as (...a: Parameters<HubEvents[K]>) => void)(...args);
      } catch (err) {
        this.onError(err, k);
      }
    }
  }
}
