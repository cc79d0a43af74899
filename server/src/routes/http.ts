import type { ErrorRequestHandler, Request, Response } from 'express';
import { isStorageError, storageUnavailable } from '../persistence/storageErrors';
import { DomainError } from '../util/errors';
import type { Logger } from '../util/logger';

export const ok = <T>(res: Response, data: T, status = 200) => res.status(status).json({ ok: true, data });

/** Every refusal has the same body: `{ ok: false, error, fields? }` naming the field and the reason. */
export function errorHandler(log: Logger, onStorageError: (err: unknown) => void = () => {}): ErrorRequestHandler {
  return (err: unknown, req: Request, res: Response, _next) => {
    if (res.headersSent) {
      // A streamed answer (an export) failed midway: no JSON can follow its bytes; cut it so the client sees it incomplete.
      log.error({ err, reqId: req.id }, 'response failed after it started');
      res.destroy();
      return;
    }
    if (isStorageError(err)) {
      // A write the disk refused (full, I/O error): the caller learns it was not recorded; the server stays up.
      onStorageError(err);
      log.warn({ err, reqId: req.id }, 'request not recorded: storage failing');
      res.status(503).json({ ok: false, error: storageUnavailable(err).message });
      return;
    }
    if (err instanceof DomainError) {
      res.status(err.status).json({ ok: false, error: err.message, ...(err.fields ? { fields: err.fields } : {}), ...(err.details ?? {}) });
      return;
    }
    const e = err as { type?: string; status?: number; message?: string };
    if (e.type === 'entity.parse.failed') {
      res.status(400).json({ ok: false, error: `malformed JSON: ${e.message ?? 'cannot parse body'}`, fields: [{ field: '(body)', reason: 'malformed JSON' }] });
      return;
    }
    if (e.type === 'entity.too.large') {
      res.status(413).json({ ok: false, error: 'request body too large' });
      return;
    }
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      res.status(e.status).json({ ok: false, error: e.message ?? 'bad request' });
      return;
    }
    log.error({ err, reqId: req.id }, 'request failed');
    res.status(500).json({ ok: false, error: 'internal error' });
  };
}
