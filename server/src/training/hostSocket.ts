import { fieldErrors, scenarioSchema, trainingDocumentSchema, trainingHostHelloSchema, type Scenario, type TrainingHostClientToServer, type TrainingHostRun, type TrainingHostServerToClient, type TrainingRun } from '@infusion/shared';
import type { Namespace } from 'socket.io';
import type { DeviceKeys } from '../auth/deviceKeys';
import type { CareService } from '../care/careService';
import type { SessionService } from '../sessions/sessionService';
import type { IngestService } from '../ingest/ingestService';
import { handler } from '../realtime/ack';
import { badRequest, notFound } from '../util/errors';
import type { Logger } from '../util/logger';
import { documentForScenario } from './scenarioDocs';
import type { TrainingService } from './trainingService';

/** How long the server waits for a host's virtual assessor. */
const ASSESS_TIMEOUT_MS = 5_000;

type HostNs = Namespace<TrainingHostClientToServer, TrainingHostServerToClient, Record<string, never>, { deviceId: number }>;

/**
 * Training hosts connect here with a simulator device key (`auth: { deviceKey }`), say which scenarios
 * they run (`hello`), and are sent the runs bound to their device (`runs` on hello, `run` on each
 * change), each with the next seq the server expects, so a restarted host resumes where storage is.
 */
export function attachTrainingHosts(ns: HostNs, training: TrainingService, ingest: IngestService, keys: DeviceKeys, log: Logger, docs: { sessions: SessionService; care: CareService }): void {
  ns.use((socket, next) => {
    const auth = socket.handshake.auth as { deviceKey?: unknown } | undefined;
    keys.authenticate(auth?.deviceKey).then(
      (device) => {
        if (!device) return next(new Error('invalid or revoked device key'));
        // Training hosts feed simulated sessions only.
        if (!device.simulator) return next(new Error('only a simulator device may host training runs'));
        socket.data.deviceId = device.id;
        next();
      },
      (err: unknown) => {
        log.warn({ err }, 'training host key check failed');
        next(new Error('device key could not be checked; retry'));
      },
    ).catch((err: unknown) => log.error({ err }, 'training host connection setup failed'));
  });
  keys.onRevoke((id) => {
    for (const s of ns.sockets.values()) if (s.data.deviceId === id) s.disconnect(true);
  });
  const forHost = async (run: TrainingRun): Promise<TrainingHostRun> => {
    if (run.state === 'ended') return { ...run, nextSeq: 0 };
    await ingest.prepareSeqs(run.sessionId, run.deviceId);
    return { ...run, nextSeq: ingest.nextSeq(run.sessionId, run.deviceId) };
  };
  training.changed.push((run) => {
    forHost(run).then(
      // This node's hosts only: each node tells its own hosts of every node's changes (trainingAcrossNodes.ts).
      (r) => ns.local.to(`device:${run.deviceId}`).emit('run', r),
      (err: unknown) => log.error({ err, runId: run.id }, 'training run not sent to its host'),
    );
  });
  // The virtual assessor lives in the host that simulates the run: asked for its score now.
  training.assessor = async (run, scale) => {
    const answers = await ns.to(`device:${run.deviceId}`).timeout(ASSESS_TIMEOUT_MS).emitWithAck('assess', { runId: run.id, scale });
    const a = answers.find((r) => r.ok);
    return a?.ok ? a.data.score : null;
  };
  ns.on('connection', (socket) => {
    const deviceId = socket.data.deviceId;
    // What the scenario did (a colleague's drug, the scripted nurse's steps), on a run this host simulates.
    socket.on(
      'document',
      handler(log, async (raw: unknown) => {
        const parsed = trainingDocumentSchema.safeParse(raw);
        if (!parsed.success) throw badRequest('invalid document', fieldErrors(parsed.error));
        const run = training.runsOfDevice(deviceId).find((r) => r.id === parsed.data.runId);
        if (!run) throw notFound(`training run ${parsed.data.runId}`);
        await documentForScenario(docs, run, parsed.data.doc);
        return null;
      }),
    );
    socket.on(
      'hello',
      handler(log, async (raw: unknown) => {
        const parsed = trainingHostHelloSchema.safeParse(raw);
        if (!parsed.success) throw badRequest('invalid hello', fieldErrors(parsed.error));
        // Each document on its own: a bad one is left out (its runs get no expected actions), the rest stay.
        const documents: Scenario[] = [];
        for (const doc of parsed.data.documents ?? []) {
          const d = scenarioSchema.safeParse(doc);
          if (d.success) documents.push(d.data);
          else log.warn({ deviceId, errors: fieldErrors(d.error) }, 'training host: a scenario document is invalid, left out');
        }
        training.hostConnected(deviceId, parsed.data.scenarios, documents);
        await socket.join(`device:${deviceId}`);
        const runs = await Promise.all(training.runsOfDevice(deviceId).map(forHost));
        socket.emit('runs', runs);
        return { runs: runs.length };
      }),
    );
    socket.on('disconnect', () => {
      if (![...ns.sockets.values()].some((s) => s.data.deviceId === deviceId && s.id !== socket.id)) training.hostDisconnected(deviceId);
    });
  });
}
