import type { DosingWeightRule, InfusionEventInput } from '@infusion/shared';
import type { StoredSession } from '../persistence/sessionRepo';
import type { RuleSetStore } from '../rules/ruleSetStore';
import type { Actor, DoseClearance, LiveSession } from './sessionService';

/** The parts may answer at once or after reading storage. */
type Answer<T> = T | Promise<T>;

/** What SessionService asks of the rest of the app at the steps of a session's life. */
export interface SessionLifecycleHooks {
  /** Every limit the session runs on that differs from the site's rule set, in plain words. */
  describeLimits(s: StoredSession): string[];
  /** The dosing-weight choice of the rule set the session opened under. */
  dosingRuleOf(s: StoredSession): DosingWeightRule | undefined;
  /** Why a first start is refused (the pre-infusion checklist). */
  startBlockers(sessionId: string): Answer<string[]>;
  /** Checks a dosing action before anything is stored: throws (rejects) when refused or unconfirmed. */
  doseGate(l: LiveSession, ev: InfusionEventInput, t: number, actor: Actor): Answer<DoseClearance>;
  /** The session ended: per-session state elsewhere is dropped. */
  ended(sessionId: string): void;
}

/** The modules the lifecycle reaches, which are built after (and from) the session service. */
export interface LifecycleParts {
  limitChanges(s: StoredSession): string[];
  startBlockers(sessionId: string): Answer<string[]>;
  doseGate(l: LiveSession, ev: InfusionEventInput, t: number, actor: Actor): Answer<DoseClearance>;
  forget(sessionId: string): void;
}

/**
 * The one place where a session's life meets the modules that depend on the session service (rules,
 * care, the dose guard): the app attaches them once, when all exist. Before that, nothing can start
 * or dose a session (an unassembled app refuses rather than skipping the checklist or the dose check).
 */
export class SessionLifecycle implements SessionLifecycleHooks {
  private parts: LifecycleParts | null = null;

  constructor(private readonly ruleSets: Pick<RuleSetStore, 'get'>) {}

  attach(parts: LifecycleParts): void {
    if (this.parts) throw new Error('session lifecycle already attached');
    this.parts = parts;
  }

  private required(): LifecycleParts {
    if (!this.parts) throw new Error('session lifecycle used before the app was assembled');
    return this.parts;
  }

  describeLimits(s: StoredSession): string[] {
    // Asked while sessions are restored, before the rules exist: no changed limits to show yet.
    return this.parts?.limitChanges(s) ?? [];
  }

  dosingRuleOf(s: StoredSession): DosingWeightRule | undefined {
    return this.ruleSets.get(s.ruleSetVersion).dosingWeight;
  }

  startBlockers(sessionId: string): Answer<string[]> {
    return this.required().startBlockers(sessionId);
  }

  doseGate(l: LiveSession, ev: InfusionEventInput, t: number, actor: Actor): Answer<DoseClearance> {
    return this.required().doseGate(l, ev, t, actor);
  }

  ended(sessionId: string): void {
    this.parts?.forget(sessionId);
  }
}
