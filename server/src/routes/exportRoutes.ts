import { Router } from 'express';
import { actorOf, userOf } from '../auth/httpAuth';
import { buildCsv } from '../export/csvExport';
import { buildFhirBundle } from '../export/fhirExport';
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

/**
 * GET /api/sessions/:id/export?format=pdf|csv|fhir: the session's record as a download. Who may see
 * the session may export it (trainers: simulated sessions; admins: none); every export is audited.
 */
export function exportRoutes(src: SessionRecordSources, audit: AuditRepo): Router {
  const r = Router();
  r.get('/:id/export', async (req, res) => {
    const u = userOf(req, 'session.export');
    const format = req.query.format;
    if (typeof format !== 'string' || !Object.hasOwn(FORMATS, format))
      throw badRequest('invalid export format', [{ field: 'format', reason: 'must be one of pdf, csv, fhir' }]);
    const session = visibleSession(src.sessions, req, u);
    const actor = actorOf(req);
    const record = await loadSessionRecord(src, session, actor.id);
    const f = FORMATS[format as Format];
    const body = format === 'pdf' ? await buildPdf(record) : format === 'csv' ? buildCsv(record) : JSON.stringify(buildFhirBundle(record));
    audit.record({ at: record.exportedAt, actor: actor.id, action: 'session.export', entity: 'session', entityId: session.id, after: { format, simulated: session.simulated }, requestId: req.id });
    const name = exportFileName(session, f.ext);
    res.status(200).type(f.type).setHeader('Content-Disposition', `attachment; filename="${name}"`).setHeader('Cache-Control', 'no-store').send(body);
  });
  return r;
}
