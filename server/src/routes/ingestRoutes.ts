import { Router } from 'express';
import type { DeviceKeys } from '../auth/deviceKeys';
import { requireDevice } from '../auth/httpAuth';
import type { IngestService } from '../ingest/ingestService';
import { badRequest, DomainError } from '../util/errors';
import { ok } from './http';

/** HTTP batch ingest: the same path and checks as the Socket.IO /ingest namespace. */
export function ingestRoutes(ingest: IngestService, keys: DeviceKeys): Router {
  const r = Router();
  r.use(requireDevice(keys));
  r.post('/frames', async (req, res) => {
    const body: unknown = req.body;
    const frames = Array.isArray(body) ? body : (body as { frames?: unknown } | undefined)?.frames;
    if (frames === undefined) throw badRequest('body must be { "frames": [...] } or an array of frames', [{ field: 'frames', reason: 'missing' }]);
    const device = req.device;
    if (!device) throw new DomainError(401, 'device key required (Authorization: Bearer dk_…)');
    ok(res, await ingest.ingest(frames, device));
  });
  return r;
}
