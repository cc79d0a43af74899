import { scenarioSchema, trainingScenarioSummarySchema } from '@infusion/shared';
import { z } from 'zod';
import type { Clock } from '../util/clock';
import type { Hub } from '../util/hub';
import type { Logger } from '../util/logger';
import type { HostOffer, TrainingService } from './trainingService';

/** How often a node tells the others which training hosts it has, and how long the others believe it. */
export const HOSTS_ANNOUNCE_MS = 5_000;
export const HOSTS_BELIEVED_MS = 3 * HOSTS_ANNOUNCE_MS;

// A host's scenario documents travel with it, so a run created on another node keeps its own document.
const hostsSchema = z
  .array(z.strictObject({ deviceId: z.number().int().positive(), scenarios: z.array(trainingScenarioSummarySchema).max(200), documents: z.array(scenarioSchema).max(200) }))
  .max(100);

/**
 * Several nodes: training runs and training hosts are followed across nodes, as sessions are.
 * - A run changed on one node is read again from storage by the others (`TrainingService.follow`), so
 *   a trainer on any node drives it, its trainee's screens on any node get its `trainingRun` events
 *   and its trainee's actions there land on its timeline, and its host gets it on whichever node it is
 *   connected to.
 * - Each node tells the others which training hosts are connected to it (on every change and every
 *   5 s; believed for 15 s, so a dead node's hosts drop out), so a trainer on any node can create a run
 *   on a scenario a host connected to another node offers.
 */
export function followTrainingAcrossNodes(training: TrainingService, hub: Hub, nodeId: string, clock: Clock, log: Logger): { tick(now: number): void } {
  const elsewhere = new Map<string, { hosts: HostOffer[]; until: number }>();
  let announcedAt = -Infinity;
  const announce = () => {
    announcedAt = clock.now();
    hub.emit('trainingHosts', nodeId, training.hostsHere().map((h) => ({ deviceId: h.deviceId, scenarios: h.scenarios, documents: [...h.documents.values()] })));
  };

  training.changedHere = (run) => hub.emit('trainingRun', run.id);
  training.hostsChanged = announce;
  training.hostsElsewhere = () => {
    const now = clock.now();
    return [...elsewhere.values()].filter((e) => e.until > now).flatMap((e) => e.hosts);
  };

  hub.onOther('trainingRun', (runId) => {
    if (typeof runId !== 'string' || runId.length > 100) return;
    training.follow(runId).catch((err: unknown) => log.error({ err, runId }, 'training run could not be read again after another node changed it'));
  });
  hub.onOther('trainingHosts', (node, hosts) => {
    const parsed = hostsSchema.safeParse(hosts);
    if (typeof node !== 'string' || node === nodeId || !parsed.success) return void log.warn({ node }, 'malformed training host list from another node ignored');
    elsewhere.set(node, { hosts: parsed.data.map((h) => ({ deviceId: h.deviceId, scenarios: h.scenarios, documents: new Map(h.documents.map((d) => [d.name, d])) })), until: clock.now() + HOSTS_BELIEVED_MS });
  });
  // After a Redis outage the other nodes may have missed this node's list.
  hub.onResume(announce);

  return {
    tick(now) {
      if (now - announcedAt >= HOSTS_ANNOUNCE_MS) announce();
    },
  };
}
