import { Router, type Response } from 'express';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { actorOf, userOf } from '../auth/httpAuth';
import { csvChunks } from '../export/csvExport';
import { bundleJson, fhirBundleParts } from '../export/fhirExport';
import { loadSessionRecord, type SessionRecordSources } from '../export/loadSessionRecord';
import { buildPdf } from '../export/pdfExport';
import { exportFileName } from '../export/sessionRecord';
import type { AuditRepo } from '../persistence/auditRepo';
import { badRequest } from '../util/errors';
import { visibleSession } from './visibleSession';

const FORMATS = {
  pdf: { ext: 'pdf', type: 'application/pdf' },
  csv: { ext: 'csv', type: 'text/csv; charset=utf-8; header=present' },
  fhir: { ext: 'fhir.json', type: 'application/fhir+json; charset=utf-8' },
} as const;
type Format = keyof typeof FORMATS;
const isFormat = (f: unknown): f is Format => typeof f === 'string' && Object.hasOwn(FORMATS, f);

/** Resolves when the client has taken what was written, or has gone; leaves no listener behind. */
function drainedOrClosed(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * Writes the pieces as they are made, yielding to the event loop between them and waiting while the
 * client is slow (backpressure), so a long session's CSV neither holds the loop nor fills memory. The
 * CSV's pieces are async (each reads a page of frames from the store), the FHIR bundle's are not.
 */
async function stream(res: Response, pieces: Iterable<string> | AsyncIterable<string>): Promise<void> {
  for await (const piece of pieces) {
    if (res.destroyed) return;
    if (!res.write(piece)) await drainedOrClosed(res);
    await nextTurn();
  }
  res.end();
}

/**
 * GET /api/sessions/:id/export?format=pdf|csv|fhir: the session's record as a download. Who may see
 * the session may export it (trainers: simulated sessions; admins: none, 403); a session the user may
 * not see is 404 as everywhere else. Every export is audited (who, which session, which format).
 */
export function exportRoutes(src: SessionRecordSources, audit: AuditRepo): Router {
  const r = Router();
  r.get('/:id/export', async (req, res) => {
    const u = userOf(req, 'session.export');
    const format = req.query.format;
    if (!isFormat(format)) throw badRequest('invalid export format', [{ field: 'format', reason: 'must be one of pdf, csv, fhir' }]);
    const session = visibleSession(src.sessions, req, u);
    const actor = actorOf(req);
    const record = await loadSessionRecord(src, session, actor.id);
    const f = FORMATS[format];
    const download = () => res.status(200).type(f.type).setHeader('Content-Disposition', `attachment; filename="${exportFileName(session, f.ext)}"`).setHeader('Cache-Control', 'no-store');
    // Audited before the first byte leaves: a download cut short has still shown data.
    const audited = () => audit.record({ at: record.exportedAt, actor: actor.id, action: 'session.export', entity: 'session', entityId: session.id, after: { format, simulated: session.simulated }, requestId: req.id });
    if (format === 'pdf') {
      const pdf = await buildPdf(record);
      await audited();
      download().send(pdf);
      return;
    }
    const pieces = format === 'csv' ? csvChunks(record, (after, limit) => src.vitals.framesPage(session.id, after, limit)) : bundleJson(fhirBundleParts(record));
    await audited();
    download();
    await stream(res, pieces);
  });
  return r;
}
