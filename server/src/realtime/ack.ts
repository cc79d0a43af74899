import type { Result } from '@infusion/shared';
import { isStorageError, storageUnavailable } from '../persistence/storageErrors';
import { DomainError } from '../util/errors';
import type { Logger } from '../util/logger';

/** Turns a thrown error into the `{ ok: false, error }` ack every socket event answers with. */
export function toFailure(err: unknown, log: Logger): { ok: false; error: string; fields?: DomainError['fields'] } {
  if (isStorageError(err)) return { ok: false, error: storageUnavailable(err).message };
  if (err instanceof DomainError) return { ok: false, error: err.message, ...(err.fields ? { fields: err.fields } : {}) };
  log.error({ err }, 'socket handler failed');
  return { ok: false, error: 'internal error' };
}

/** Guards every handler: a bad payload or a missing callback never throws out of the socket. */
export function handler<Req, Res>(log: Logger, fn: (req: Req) => Promise<Res> | Res) {
  return async (req: Req, ack: unknown) => {
    // Sent with a callback but no request: the callback arrives first. Answer it instead of leaving it waiting.
    if (typeof ack !== 'function' && typeof req === 'function') return void (req as (r: Result<Res>) => void)({ ok: false, error: 'invalid request: the request object is missing' });
    // No callback: nobody to answer, and no work done for it.
    if (typeof ack !== 'function') return;
    const reply = ack as (r: Result<Res>) => void;
    try {
      reply({ ok: true, data: await fn(req) });
    } catch (err) {
      reply(toFailure(err, log));
    }
  };
}

