import { SIM_DRUG_FORMULARY_ID, scenarioActor, type TrainingDocument, type TrainingRun } from '@infusion/shared';
import type { CareService } from '../care/careService';
import type { SessionService } from '../sessions/sessionService';
import { DomainError } from '../util/errors';

/**
 * What a training scenario does on its own, documented on the run's session through the same services
 * (and the same validation and audit) as the bedside API, by the scenario's actor (`scenario:<name>`),
 * never the trainee: a colleague's drug, and with a scripted nurse the order, the checklist, the
 * infusion steps and the sedation and pain scores. The session page, the rules (a sedative tightens the
 * respiratory limits) and the debrief then see them. The training service keeps these off the
 * trainee's timeline, so the host never gives them to the patient twice.
 */
export async function documentForScenario(d: { sessions: SessionService; care: CareService }, run: TrainingRun, doc: TrainingDocument['doc']): Promise<void> {
  const actor = { id: scenarioActor(run.scenario) };
  switch (doc.type) {
    case 'order':
      await d.care.writeOrder(run.sessionId, doc.order, actor);
      return;
    case 'checklist':
      await d.care.submitChecklist(run.sessionId, doc.checklist, actor);
      return;
    case 'infusion':
      await d.sessions.addInfusionEvent(run.sessionId, doc.event, actor);
      return;
    case 'observation':
      await d.care.recordObservation(run.sessionId, doc.observation, actor);
      return;
    case 'drug': {
      const dose = { drugId: SIM_DRUG_FORMULARY_ID[doc.drug], doseMg: doc.doseMg, route: 'IV', note: `${doc.label} (given in the scenario; dose: ${doc.source})` };
      try {
        await d.care.documentRescue(run.sessionId, dose, actor);
      } catch (err) {
        // Above the site's per-kg dose (e.g. on a lower dosing weight): the scenario's colleague
        // confirms, as the scenario is written to show.
        if (!(err instanceof DomainError && err.status === 409 && /confirmation needed/.test(err.message))) throw err;
        await d.care.documentRescue(run.sessionId, { ...dose, confirm: { reason: `Given in training scenario ${run.scenario}` } }, actor);
      }
      return;
    }
  }
}
