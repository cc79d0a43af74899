import type { LeaseRepo } from '../persistence/leaseRepo';
import type { Clock } from '../util/clock';
import type { Logger } from '../util/logger';

/** Which sessions this node evaluates (runs the rules of, raises alarms for). */
export interface SessionOwnership {
  readonly nodeId: string;
  owns(sessionId: string): boolean;
  /**
   * Renews this node's leases (storing each held session's rule engine state, `engineStateOf`) and
   * takes the free or expired leases of the given active sessions. Returns the sessions newly taken
   * (the caller resumes their rule state: `resumeFrom` holds the previous holder's engine state when
   * it stored one) and those lost.
   */
  round(activeSessionIds: Iterable<string>, engineStateOf?: (sessionId: string) => string | null): Promise<RoundResult>;
  /**
   * Takes a session's lease now if it is free (a session opened on this node); resolves true when held.
   * The session counts as this node's from the call on, so its first frame is evaluated; a lease
   * another node already holds ends that as soon as the store answers.
   */
  claim(sessionId: string): Promise<boolean>;
  /** Gives a session up at once (it ended, or this node stops). */
  release(sessionId: string): Promise<void>;
  releaseAll(): Promise<void>;
}

export interface RoundResult {
  taken: string[];
  lost: string[];
  /** For sessions just taken: the engine state their previous holder stored last (absent: none). */
  resumeFrom: Map<string, string>;
}

/** One node: it owns every session. */
export const soleOwnership = (nodeId: string): SessionOwnership => ({
  nodeId,
  owns: () => true,
  round: () => Promise.resolve({ taken: [], lost: [], resumeFrom: new Map() }),
  claim: () => Promise.resolve(true),
  release: () => Promise.resolve(),
  releaseAll: () => Promise.resolve(),
});

/**
 * Default lease: 3 s, renewed every 0.5 s (`leaseRoundMs`), so a holder stalled up to 2.5 s (a loaded
 * machine, SQLite's write lock held by another process) keeps its sessions, and a dead node's sessions
 * are taken over at most 3.5 s after its death (expiry plus the survivor's next round), plus the time
 * to read their state. A 2 s lease was tried: on a 2-core machine at load 13 live nodes lost their
 * sessions to each other (stalls over 2 s), so the lease stays 3 s and the rounds got shorter.
 */
export const LEASE_TTL_MS = 3_000;

/** Rounds run six times per lease: renewals stay well inside it. */
export const leaseRoundMs = (ttlMs: number): number => Math.max(50, Math.floor(ttlMs / 6));

/**
 * The holder's engine state is stored with a renewal at most this often (the renewals between keep
 * the stored one): a takeover resumes from it and judges the frames stored after it, so an older
 * state costs a few more frames to judge, not a missed or repeated alarm.
 */
export const ENGINE_STATE_EVERY_MS = 1_000;

/**
 * Several nodes: a lease row per session (`session_leases`). The holder renews it every round; any
 * node takes a lease whose holder stopped renewing once it expires. Node clocks must agree (NTP) to
 * well under the lease time.
 *
 * A renewal that storage refuses keeps the session evaluated here: while the database is failing no
 * other node can take the lease either, and a session judged twice is better than one judged by nobody.
 */
export class LeasedOwnership implements SessionOwnership {
  private readonly held = new Set<string>();
  private stateStoredAt = -Infinity;

  constructor(
    private readonly repo: LeaseRepo,
    readonly nodeId: string,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly ttlMs = LEASE_TTL_MS,
  ) {}

  owns(sessionId: string): boolean {
    return this.held.has(sessionId);
  }

  async round(activeSessionIds: Iterable<string>, engineStateOf: (sessionId: string) => string | null = () => null): Promise<RoundResult> {
    const now = this.clock.now();
    const taken: string[] = [];
    const lost: string[] = [];
    const resumeFrom = new Map<string, string>();
    const active = new Set(activeSessionIds);
    for (const id of [...this.held]) if (!active.has(id)) await this.release(id);
    let mine: Map<string, string | null>;
    try {
      const withState = now - this.stateStoredAt >= ENGINE_STATE_EVERY_MS;
      const sessions = [...active].map((sessionId) => ({ sessionId, engineState: withState && this.held.has(sessionId) ? engineStateOf(sessionId) : null }));
      mine = new Map((await this.repo.takeAll(sessions, this.nodeId, now, now + this.ttlMs)).map((h) => [h.sessionId, h.engineState]));
      if (withState) this.stateStoredAt = now;
      const tookMs = this.clock.now() - now;
      // A round slower than the renewal margin puts this node's leases at risk of lapsing while it lives.
      if (tookMs > this.ttlMs / 2) this.log.warn({ node: this.nodeId, ms: tookMs, sessions: sessions.length }, 'session lease round slow: leases near expiry');
    } catch (err) {
      this.log.error({ err }, 'session leases could not be written; evaluation stays where it is');
      return { taken, lost, resumeFrom };
    }
    for (const id of active) {
      if (mine.has(id) && !this.held.has(id)) {
        this.held.add(id);
        taken.push(id);
        const stored = mine.get(id);
        if (stored) resumeFrom.set(id, stored);
      } else if (!mine.has(id) && this.held.delete(id)) {
        lost.push(id);
      }
    }
    if (taken.length) this.log.info({ node: this.nodeId, sessions: taken.length }, 'session leases taken: this node evaluates them');
    if (lost.length) this.log.warn({ node: this.nodeId, sessions: lost.length }, 'session leases lost to another node');
    return { taken, lost, resumeFrom };
  }

  async claim(sessionId: string): Promise<boolean> {
    if (this.held.has(sessionId)) return true;
    const now = this.clock.now();
    this.held.add(sessionId);
    try {
      if (!(await this.repo.take(sessionId, this.nodeId, now, now + this.ttlMs))) this.held.delete(sessionId);
    } catch (err) {
      // Kept: while the store refuses writes no other node can take it either; the next round writes it.
      this.log.error({ err, sessionId }, 'session lease could not be written; the next round tries again');
    }
    return this.held.has(sessionId);
  }

  async release(sessionId: string): Promise<void> {
    if (!this.held.delete(sessionId)) return;
    try {
      await this.repo.release(sessionId, this.nodeId);
    } catch (err) {
      // It expires by itself.
      this.log.warn({ err, sessionId }, 'session lease could not be released; it expires');
    }
  }

  async releaseAll(): Promise<void> {
    await Promise.all([...this.held].map((id) => this.release(id)));
  }
}
