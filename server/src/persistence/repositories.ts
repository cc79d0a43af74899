import { hl7MessageRepo, type Hl7MessageRepo } from './hl7MessageRepo';
import { leaseRepo, type LeaseRepo } from './leaseRepo';
import { loginSessionRepo, type LoginSessionRepo } from './loginSessionRepo';
import { outboxRepo, type OutboxRepo } from './outboxRepo';
import { reportRepo, type ReportRepo } from './reportRepo';
import { responseRepo, type ResponseRepo } from './responseRepo';
import type { Store } from './store';

/**
 * Every repository, built once per store. Each is an async interface written against the typed
 * query builder, so the same implementation serves SQLite and PostgreSQL; `createApp` receives
 * them (or builds them from `config.DB_PATH`) like any other dependency.
 */
export interface Repositories {
  hl7Messages: Hl7MessageRepo;
  /** Session leases: which node evaluates a session (several nodes on one database). */
  leases: LeaseRepo;
  loginSessions: LoginSessionRepo;
  outbox: OutboxRepo;
  reports: ReportRepo;
  responses: ResponseRepo;
}

export function createRepositories(store: Store): Repositories {
  return { hl7Messages: hl7MessageRepo(store), leases: leaseRepo(store), loginSessions: loginSessionRepo(store), outbox: outboxRepo(store), reports: reportRepo(store), responses: responseRepo(store) };
}
