import type { AdverseEffect, AlarmUpdate, ChecklistRecord, Escalation, InfusionEvent, Observation, Order, PhysicianResponse, RescueDose, Scenario, Session, StorageStatus, TrainingScenarioSummary, VitalsSample } from '@infusion/shared';

/** Domain events, fanned out to the realtime layer (and anything else that listens). */
export interface HubEvents {
  alarm: (u: AlarmUpdate) => void;
  session: (s: Session) => void;
  infusionEvent: (e: InfusionEvent) => void;
  vitals: (sessionId: string, sample: VitalsSample) => void;
  escalation: (e: Escalation) => void;
  observation: (o: Observation) => void;
  rescueDose: (d: RescueDose) => void;
  /** An adverse effect documented on a session. */
  adverseEffect: (a: AdverseEffect) => void;
  storage: (s: StorageStatus) => void;
  response: (r: PhysicianResponse) => void;
  /** A physician's order written (a new version). */
  order: (o: Order) => void;
  /** The pre-infusion checklist submitted, overridden, or re-opened by a new order. */
  checklist: (c: ChecklistRecord) => void;
  /** A cached document changed on some node (rule sets, formulary): every node drops its copy. */
  invalidate: (what: 'ruleSets' | 'formulary' | 'assignments') => void;
  /** A device key was revoked: every node closes that device's connections. */
  deviceRevoked: (deviceId: number) => void;
  /** A committed frame of a session another node evaluates, forwarded to that node (`receivedAt`: server time). */
  frame: (sessionId: string, sample: VitalsSample, receivedAt: number) => void;
  /** A training run changed (created, started, paused, sped, an event on its timeline): the other nodes read it again. */
  trainingRun: (runId: string) => void;
  /** The training hosts connected to a node (all of them, sent on every change and every few seconds). */
  trainingHosts: (nodeId: string, hosts: { deviceId: number; scenarios: TrainingScenarioSummary[]; documents: Scenario[] }[]) => void;
}

export type HubEvent = keyof HubEvents;
type Listeners = { [K in HubEvent]: HubEvents[K][] };
const emptyListeners = (): Listeners => ({
  alarm: [],
  session: [],
  infusionEvent: [],
  vitals: [],
  escalation: [],
  observation: [],
  rescueDose: [],
  adverseEffect: [],
  storage: [],
  response: [],
  order: [],
  checklist: [],
  invalidate: [],
  deviceRevoked: [],
  frame: [],
  trainingRun: [],
  trainingHosts: [],
});

/**
 * Publish/subscribe for domain events. This class is the in-process hub (one node); `RedisHub`
 * (redisHub.ts) carries the same events between nodes.
 *
 * Three kinds of listener, because with several nodes an event must be shown everywhere but acted on once:
 * - `on`: hears the events of this node only. Reactions with side effects (escalation timers, ending
 *   an audio pause, resolving a session's alarms) run on the node where the event happened.
 * - `onOther`: hears the events of the other nodes only: this node's copies follow them.
 * - `onEvery`: hears the events of every node: what each node shows its own screens, caches to drop.
 * On one node `onOther` never hears anything.
 */
export class Hub {
  private readonly local = emptyListeners();
  private readonly every = emptyListeners();
  private readonly other = emptyListeners();
  private readonly resumed: (() => void)[] = [];

  /** `onError` hears a listener that threw; the other listeners still get the event. */
  constructor(protected readonly onError: (err: unknown, event: HubEvent | 'resume') => void = () => {}) {}

  on<K extends HubEvent>(k: K, fn: HubEvents[K]): void {
    this.local[k].push(fn);
  }

  onEvery<K extends HubEvent>(k: K, fn: HubEvents[K]): void {
    this.every[k].push(fn);
  }

  onOther<K extends HubEvent>(k: K, fn: HubEvents[K]): void {
    this.other[k].push(fn);
  }

  /**
   * After the link to the other nodes was lost and is back: events published in between may not have
   * arrived, so listeners catch up from storage (committed alarm changes are never lost).
   */
  onResume(fn: () => void): void {
    this.resumed.push(fn);
  }

  emit<K extends HubEvent>(k: K, ...args: Parameters<HubEvents[K]>): void {
    this.deliver(this.local[k], k, args);
    this.deliver(this.every[k], k, args);
  }

  /** An event another node published: `onOther` listeners (copies) first, then `onEvery` (screens). */
  protected deliverRemote<K extends HubEvent>(k: K, args: Parameters<HubEvents[K]>): void {
    this.deliver(this.other[k], k, args);
    this.deliver(this.every[k], k, args);
  }

  protected resume(): void {
    for (const fn of this.resumed) {
      try {
        fn();
      } catch (err) {
        this.onError(err, 'resume');
      }
    }
  }

  private deliver<K extends HubEvent>(fns: HubEvents[K][], k: K, args: Parameters<HubEvents[K]>): void {
    // One failing listener (say, a write that hit a full disk) must not keep an alarm from the screens.
    for (const fn of fns) {
      try {
        (fn as (...a: Parameters<HubEvents[K]>) => void)(...args);
      } catch (err) {
        this.onError(err, k);
      }
    }
  }

  async close(): Promise<void> {}
}

export const HUB_EVENTS: readonly HubEvent[] = Object.keys(emptyListeners()) as HubEvent[];
