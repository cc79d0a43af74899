/// <reference types="fhir" />
import { ADVERSE_EFFECT_TYPES, dischargeScoreOf, RESPONSE_CRITERIA, VITAL_META, type PhaseChange, type TrendPoint, type VitalField } from '@infusion/shared';
import { randomUUID } from 'node:crypto';
import { isoTime, totalDose, who, type SessionRecord } from './sessionRecord';

const UCUM = 'http://unitsofmeasure.org';
const LOINC = 'http://loinc.org';
const OBS_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
/** HL7 v3 ActReason HTEST ("test health data"): the security label of simulated data. */
const SIMULATED_LABEL: fhir4.Coding = { system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'HTEST', display: 'test health data' };
const SYSTEM_ID = 'urn:ietf:rfc:3986';

type Entry = fhir4.BundleEntry & { resource: fhir4.FhirResource };

/**
 * The session as a FHIR R4 Bundle (type collection): Patient (pseudonymous: label and site reference,
 * no name), Encounter, vital-sign Observations (vital-signs profile: LOINC code, UCUM unit; systolic and
 * diastolic as the blood-pressure panel), sedation and pain scores, MedicationRequest per order version,
 * MedicationAdministration for the infusion, each rate change, bolus and rescue drug, a DetectedIssue
 * per alarm (acknowledgements and escalations as its mitigations), Communication per physician response.
 * Every reference is a urn:uuid fullUrl inside the bundle. Simulated sessions carry HTEST on every resource.
 */
export function buildFhirBundle(r: SessionRecord, newId: () => string = randomUUID): fhir4.Bundle {
  const { head, entries } = fhirBundleParts(r, newId);
  return { ...head, entry: [...entries] };
}

/** The bundle without its entries, and the entries in order, the vital signs made as they are taken. */
export interface FhirBundleParts {
  head: Omit<fhir4.Bundle, 'entry'>;
  entries: Iterable<Entry>;
}

/**
 * The bundle in parts: the few resources of the record made at once, the vital-sign Observations (a
 * few thousand for a long session) made lazily as the entries are iterated, so a caller that writes
 * them in pieces never holds the event loop for the whole bundle.
 */
export function fhirBundleParts(r: SessionRecord, newId: () => string = randomUUID): FhirBundleParts {
  const s = r.session;
  const meta = (profile?: string): fhir4.Meta | undefined => {
    const m: fhir4.Meta = {};
    if (profile) m.profile = [profile];
    if (s.simulated) m.security = [SIMULATED_LABEL];
    return m.profile || m.security ? m : undefined;
  };
  const entries: Entry[] = [];
  const entryOf = <T extends fhir4.FhirResource>(res: T): Entry => {
    const id = newId();
    res.id = id;
    return { fullUrl: `urn:uuid:${id}`, resource: res };
  };
  const add = <T extends fhir4.FhirResource>(res: T): fhir4.Reference => {
    const e = entryOf(res);
    entries.push(e);
    return { reference: e.fullUrl! };
  };
  const withMeta = <T extends fhir4.FhirResource>(res: T, profile?: string): T => {
    const m = meta(profile);
    return m ? { ...res, meta: m } : res;
  };

  const patient = add(
    withMeta<fhir4.Patient>({
      resourceType: 'Patient',
      identifier: [
        { use: 'usual', system: 'urn:infusion-monitor:patient-label', value: s.patientLabel },
        ...(s.patientRef ? [{ use: 'official' as const, system: 'urn:infusion-monitor:patient-ref', value: s.patientRef }] : []),
        // The site patient id of the patient record (pseudonymous), when it is not already the patientRef.
        ...(r.patient && r.patient.sitePatientId !== s.patientRef ? [{ use: 'secondary' as const, system: 'urn:infusion-monitor:site-patient-id', value: r.patient.sitePatientId }] : []),
      ],
      ...(s.sex === 'female' || s.sex === 'male' ? { gender: s.sex } : {}),
      // Year of birth only: the pseudonymous record keeps no exact date.
      ...(r.patient?.yearOfBirth ? { birthDate: String(r.patient.yearOfBirth) } : {}),
    }),
  );
  const encounter = add(
    withMeta<fhir4.Encounter>({
      resourceType: 'Encounter',
      identifier: [{ system: 'urn:infusion-monitor:session', value: s.id }],
      status: encounterStatus(r),
      ...(r.phases?.length ? { statusHistory: statusHistory(r) } : {}),
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB', display: 'ambulatory' },
      subject: patient,
      period: { start: isoTime(s.createdAt), ...(s.endedAt !== null ? { end: isoTime(s.endedAt) } : {}) },
      ...(s.status === 'ended' ? { hospitalization: { dischargeDisposition: dischargeDisposition(r) } } : {}),
      reasonCode: [{ text: s.indication }],
      location: [{ location: { display: `${s.location} (${s.unit})` } }],
    }),
  );
  const common = { subject: patient, encounter };

  // Vital signs (FHIR vital-signs profile): one Observation per value; SBP and DBP form the BP panel.
  // A long session's trend is downsampled: such a point is the mean of its bucket, so it carries the
  // bucket as effectivePeriod and says so (with the bucket's lowest and highest) instead of posing as a reading.
  const vital = (f: VitalField, v: number): fhir4.Quantity => ({ value: v, unit: VITAL_META[f].displayUnit, system: UCUM, code: VITAL_META[f].unit });
  const vitalCode = (f: VitalField): fhir4.CodeableConcept => ({
    // The R4 oxygen-saturation profile fixes LOINC 2708-6; 59408-5 (by pulse oximetry) is the more exact code and is kept beside it.
    coding: [...(f === 'spo2' ? [{ system: LOINC, code: '2708-6', display: 'Oxygen saturation in Arterial blood' }] : []), { system: LOINC, code: VITAL_META[f].loinc, display: VITAL_META[f].name }],
    text: VITAL_META[f].name,
  });
  const vitalsCategory = [{ coding: [{ system: OBS_CATEGORY, code: 'vital-signs', display: 'Vital Signs' }] }];
  const bucket = r.trendBucketMs;
  const when = (t: number): Pick<fhir4.Observation, 'effectiveDateTime' | 'effectivePeriod'> => {
    if (bucket === null) return { effectiveDateTime: isoTime(t) };
    const start = r.trendFrom + Math.floor((t - r.trendFrom) / bucket) * bucket;
    return { effectivePeriod: { start: isoTime(start), end: isoTime(start + bucket) } };
  };
  const range = (p: TrendPoint, f: VitalField) => {
    const lo = p.min?.[f];
    const hi = p.max?.[f];
    return typeof lo === 'number' && typeof hi === 'number' ? `, lowest ${lo}, highest ${hi} ${VITAL_META[f].displayUnit}` : '';
  };
  const meanNote = (p: TrendPoint, fields: VitalField[]) =>
    bucket === null ? {} : { note: [{ text: `Mean of the readings in the period${fields.map((f) => range(p, f)).join('') ? ` (${fields.map((f) => `${VITAL_META[f].label}${range(p, f)}`).join('; ')})` : ''}` }] };
  const single: VitalField[] = ['hr', 'spo2', 'etco2', 'rr', 'map'];
  function* vitalSigns(): Generator<Entry> {
    for (const p of r.trend) {
      for (const f of single) {
        const v = p[f];
        if (typeof v !== 'number') continue;
        yield entryOf(withMeta<fhir4.Observation>({ resourceType: 'Observation', status: 'final', category: vitalsCategory, code: vitalCode(f), ...common, ...when(p.t), valueQuantity: vital(f, v), ...meanNote(p, [f]) }, 'http://hl7.org/fhir/StructureDefinition/vitalsigns'));
      }
      if (typeof p.sbp === 'number' && typeof p.dbp === 'number') {
        yield entryOf(
          withMeta<fhir4.Observation>(
            {
              resourceType: 'Observation',
              status: 'final',
              category: vitalsCategory,
              code: { coding: [{ system: LOINC, code: '85354-9', display: 'Blood pressure panel with all children optional' }], text: 'Blood pressure' },
              ...common,
              ...when(p.t),
              component: [
                { code: vitalCode('sbp'), valueQuantity: vital('sbp', p.sbp) },
                { code: vitalCode('dbp'), valueQuantity: vital('dbp', p.dbp) },
              ],
              ...meanNote(p, ['sbp', 'dbp']),
            },
            'http://hl7.org/fhir/StructureDefinition/bp',
          ),
        );
      }
    }
  }
  for (const o of r.observations) {
    add(
      withMeta<fhir4.Observation>({
        resourceType: 'Observation',
        status: 'final',
        category: [{ coding: [{ system: OBS_CATEGORY, code: 'survey', display: 'Survey' }] }],
        code: { text: `${o.scale} score` },
        ...common,
        effectiveDateTime: isoTime(o.t),
        valueInteger: o.score,
        performer: [{ display: who(r, o.by) }],
        ...(o.note ? { note: [{ text: o.note }] } : {}),
      }),
    );
  }

  const ketamine: fhir4.CodeableConcept = { text: 'ketamine' };
  const request: fhir4.Reference[] = [];
  for (const o of r.orders) {
    request.push(
      add(
        withMeta<fhir4.MedicationRequest>({
          resourceType: 'MedicationRequest',
          identifier: [{ system: 'urn:infusion-monitor:order-version', value: `${s.id}/${o.version}` }],
          status: o === r.orders[r.orders.length - 1] ? (s.status === 'ended' ? 'completed' : 'active') : 'stopped',
          intent: 'order',
          medicationCodeableConcept: ketamine,
          subject: patient,
          encounter,
          authoredOn: isoTime(o.at),
          requester: { display: who(r, o.by) },
          dosageInstruction: [
            {
              text: `${o.rateMinMgKgH}-${o.rateMaxMgKgH} mg/kg/h; boluses ${o.bolusAllowed ? `up to ${o.bolusMaxMgKg} mg/kg every ${o.bolusMinIntervalMin} min or more` : 'not allowed'}; at most ${o.maxCumulativeMgKg} mg/kg in total`,
              doseAndRate: [{ rateRange: { low: { value: o.rateMinMgKgH, unit: 'mg/kg/h', system: UCUM, code: 'mg/kg/h' }, high: { value: o.rateMaxMgKgH, unit: 'mg/kg/h', system: UCUM, code: 'mg/kg/h' } } }],
              maxDosePerAdministration: o.bolusMaxMgKg !== null ? { value: o.bolusMaxMgKg, unit: 'mg/kg', system: UCUM, code: 'mg/kg' } : undefined,
            },
          ],
          ...(o.note ? { note: [{ text: o.note }] } : {}),
        }),
      ),
    );
  }
  const order = request[request.length - 1];

  // The infusion as a whole (start to stop, total given), each rate change and bolus as its part.
  const start = r.infusionEvents.find((e) => e.type === 'start');
  if (start) {
    const stop = [...r.infusionEvents].reverse().find((e) => e.type === 'stop');
    const dose = totalDose(r);
    const infusion = add(
      withMeta<fhir4.MedicationAdministration>({
        resourceType: 'MedicationAdministration',
        status: stop ? 'completed' : 'in-progress',
        medicationCodeableConcept: ketamine,
        subject: patient,
        context: encounter,
        effectivePeriod: { start: isoTime(start.t), ...(stop ? { end: isoTime(stop.t) } : {}) },
        performer: [{ actor: { display: who(r, start.by) } }],
        ...(order ? { request: order } : {}),
        dosage: {
          text: `continuous IV infusion; total ${round(dose.mg)} mg (${round(dose.mgPerKg)} mg/kg)`,
          route: { text: 'intravenous' },
          dose: { value: round(dose.mg), unit: 'mg', system: UCUM, code: 'mg' },
          ...(start.rateMgKgH !== null ? { rateQuantity: { value: start.rateMgKgH, unit: 'mg/kg/h', system: UCUM, code: 'mg/kg/h' } } : {}),
        },
      }),
    );
    for (const e of r.infusionEvents) {
      if (e.type !== 'rate_change' && e.type !== 'bolus') continue;
      add(
        withMeta<fhir4.MedicationAdministration>({
          resourceType: 'MedicationAdministration',
          status: 'completed',
          medicationCodeableConcept: ketamine,
          subject: patient,
          context: encounter,
          partOf: [infusion],
          effectiveDateTime: isoTime(e.t),
          performer: [{ actor: { display: who(r, e.by) } }],
          ...(order ? { request: order } : {}),
          ...(e.note || e.override ? { note: [{ text: [e.note, e.override ? `dose limit overridden: ${e.override.reason}` : null].filter(Boolean).join('; ') }] } : {}),
          dosage:
            e.type === 'bolus'
              ? { text: 'IV bolus', route: { text: 'intravenous' }, dose: { value: e.doseMg ?? 0, unit: 'mg', system: UCUM, code: 'mg' } }
              : { text: 'rate change', route: { text: 'intravenous' }, rateQuantity: { value: e.rateMgKgH ?? 0, unit: 'mg/kg/h', system: UCUM, code: 'mg/kg/h' } },
        }),
      );
    }
  }
  const rescueRefs = new Map<number, fhir4.Reference>();
  for (const d of r.rescueDoses) {
    rescueRefs.set(d.id, add(
      withMeta<fhir4.MedicationAdministration>({
        resourceType: 'MedicationAdministration',
        status: 'completed',
        medicationCodeableConcept: { text: d.drug },
        subject: patient,
        context: encounter,
        effectiveDateTime: isoTime(d.t),
        performer: [{ actor: { display: who(r, d.by) } }],
        ...(d.note ? { note: [{ text: d.note }] } : {}),
        dosage: { text: 'rescue dose', route: { text: d.route }, dose: { value: d.doseMg, unit: 'mg', system: UCUM, code: 'mg' } },
      }),
    ));
  }

  // Alarms: a DetectedIssue each; acknowledgement and escalation steps are its mitigations (who, when).
  const severity = { high: 'high', medium: 'moderate', low: 'low' } as const;
  for (const a of r.alarms) {
    const mitigation: fhir4.DetectedIssueMitigation[] = [];
    if (a.acknowledgedAt !== null) mitigation.push({ action: { text: 'alarm acknowledged' }, date: isoTime(a.acknowledgedAt), author: { display: who(r, a.acknowledgedBy) } });
    for (const e of r.escalations.filter((x) => x.alarmId === a.id)) {
      mitigation.push({ action: { text: `escalated (level ${e.level}, ${e.state})` }, date: isoTime(e.openedAt) });
      if (e.acknowledgedAt !== null) mitigation.push({ action: { text: 'escalation acknowledged' }, date: isoTime(e.acknowledgedAt), author: { display: who(r, e.acknowledgedBy) } });
    }
    add(
      withMeta<fhir4.DetectedIssue>({
        resourceType: 'DetectedIssue',
        identifier: [{ system: 'urn:infusion-monitor:alarm', value: String(a.id) }],
        status: 'final',
        code: { text: a.title },
        severity: severity[a.priority],
        patient,
        identifiedDateTime: isoTime(a.startedAt),
        detail: `${a.priority} priority: ${a.message}${a.resolvedAt !== null ? ` (resolved ${isoTime(a.resolvedAt)})` : ''}`,
        ...(mitigation.length ? { mitigation } : {}),
      }),
    );
  }
  for (const p of r.responses) {
    add(
      withMeta<fhir4.Communication>({
        resourceType: 'Communication',
        status: 'completed',
        ...common,
        sent: isoTime(p.at),
        sender: { display: p.byName || who(r, p.by) },
        payload: [{ contentString: p.text }],
      }),
    );
  }

  // Adverse effects: an AdverseEvent each (actual, severity on FHIR's mild/moderate/severe), the rescue dose given for it as its treatment.
  for (const a of r.adverseEffects ?? []) {
    const treated = a.rescueDoseId !== null ? rescueRefs.get(a.rescueDoseId) : undefined;
    const kind = ADVERSE_EFFECT_TYPES[a.type];
    // R4's AdverseEvent has no note element: the note, a CADSS total, the rescue dose and the source go in the event's text.
    const extra = [a.note, a.cadssTotal !== null ? `CADSS total ${a.cadssTotal}` : null, treated ? `treated with a rescue dose (${treated.reference})` : null, kind.source].filter(Boolean).join('; ');
    add(
      withMeta<fhir4.AdverseEvent>({
        resourceType: 'AdverseEvent',
        identifier: { system: 'urn:infusion-monitor:adverse-effect', value: String(a.id) },
        actuality: 'actual',
        event: { text: `${kind.label} — ${extra}` },
        subject: patient,
        encounter,
        date: isoTime(a.t),
        recordedDate: isoTime(a.at),
        recorder: { display: who(r, a.by) },
        severity: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/adverse-event-severity', code: a.severity, display: a.severity }] },
        suspectEntity: [{ instance: { display: 'ketamine' } }],
      }),
    );
  }
  // The response (Q8): percentage decrease in pain, with the scores before and after and what was recorded besides.
  const resp = r.response?.assessment;
  if (resp && (resp.pain.before !== null || resp.pain.after !== null)) {
    const painCode = (when: string): fhir4.CodeableConcept => ({ coding: [{ system: LOINC, code: '72514-3', display: 'Pain severity - 0-10 verbal numeric rating [Score] - Reported' }], text: `Pain ${when}` });
    add(
      withMeta<fhir4.Observation>({
        resourceType: 'Observation',
        status: 'final',
        category: [{ coding: [{ system: OBS_CATEGORY, code: 'survey', display: 'Survey' }] }],
        code: { text: 'Response to the ketamine infusion: pain decrease (ASRA/AAPM/ASA 2018, Q8)' },
        ...common,
        effectiveDateTime: isoTime(r.response?.record?.at ?? s.endedAt ?? r.exportedAt),
        ...(resp.pain.decreasePct !== null ? { valueQuantity: { value: resp.pain.decreasePct, unit: '%', system: UCUM, code: '%' } } : { dataAbsentReason: { text: 'pain before or after not recorded' } }),
        ...(resp.positive !== null ? { interpretation: [{ text: resp.positive ? 'positive response' : 'not a positive response' }] } : {}),
        component: [
          ...(resp.pain.before !== null ? [{ code: painCode('before the infusion'), valueInteger: resp.pain.before }] : []),
          ...(resp.pain.after !== null ? [{ code: painCode('after the infusion'), valueInteger: resp.pain.after }] : []),
          ...(resp.satisfaction ? [{ code: { text: 'Patient satisfaction' }, valueString: resp.satisfaction }] : []),
          ...(resp.opioidReductionPct !== null ? [{ code: { text: 'Opioid use reduction' }, valueQuantity: { value: resp.opioidReductionPct, unit: '%', system: UCUM, code: '%' } }] : []),
        ],
        note: [{ text: RESPONSE_CRITERIA.source }],
      }),
    );
  }

  const head: Omit<fhir4.Bundle, 'entry'> = {
    resourceType: 'Bundle',
    ...(s.simulated ? { meta: { security: [SIMULATED_LABEL], tag: [{ system: 'urn:infusion-monitor:data', code: 'simulated', display: 'SIMULATED — not a patient record' }] } } : {}),
    identifier: { system: SYSTEM_ID, value: `urn:uuid:${newId()}` },
    type: 'collection',
    timestamp: isoTime(r.exportedAt),
  };
  // Patient and Encounter first, then the vital signs, then the rest of the record.
  return {
    head,
    entries: (function* () {
      yield* entries.slice(0, 2);
      yield* vitalSigns();
      yield* entries.slice(2);
    })(),
  };
}

const round = (x: number) => Math.round(x * 100) / 100;

/**
 * The bundle as JSON text in pieces of `perPiece` entries (the same text JSON.stringify gives), so a
 * large bundle is sent as it is written instead of as one string built while everything else waits.
 */
export function* bundleJson({ head, entries }: FhirBundleParts, perPiece = 200): Generator<string> {
  const open = JSON.stringify(head);
  yield `${open.slice(0, -1)}${open.length > 2 ? ',' : ''}"entry":[`;
  let piece: string[] = [];
  let first = true;
  for (const e of entries) {
    piece.push(JSON.stringify(e));
    if (piece.length === perPiece) {
      yield (first ? '' : ',') + piece.join(',');
      first = false;
      piece = [];
    }
  }
  if (piece.length) yield (first ? '' : ',') + piece.join(',');
  yield ']}';
}

/** Encounter.status: a session ended before any infusion was given was cancelled; any other end is finished. */
function encounterStatus(r: SessionRecord): fhir4.Encounter['status'] {
  const s = r.session;
  if (s.status !== 'ended') return s.phase === 'pre_infusion' ? 'arrived' : 'in-progress';
  const given = (r.phases ?? []).some((p) => p.phase === 'infusion') || r.infusionEvents.some((e) => e.type === 'start');
  return s.phase === 'ended_early' && !given ? 'cancelled' : 'finished';
}

/** The phases as Encounter.statusHistory: pre-infusion arrived, infusion and recovery in progress, then the end. */
function statusHistory(r: SessionRecord): fhir4.EncounterStatusHistory[] {
  const phases = r.phases ?? [];
  const status = (p: PhaseChange['phase']): fhir4.EncounterStatusHistory['status'] => (p === 'pre_infusion' ? 'arrived' : p === 'infusion' || p === 'recovery' ? 'in-progress' : encounterStatus(r));
  return phases.map((p, i) => {
    const end = phases[i + 1]?.at ?? (p.phase === r.session.phase ? r.session.endedAt : null);
    return { status: status(p.phase), period: { start: isoTime(p.at), ...(end !== null && end !== undefined ? { end: isoTime(end) } : {}) } };
  });
}

/** How the session ended (discharge-disposition codes: home, other healthcare facility), the discharge score in the text. */
function dischargeDisposition(r: SessionRecord): fhir4.CodeableConcept {
  const DD = 'http://terminology.hl7.org/CodeSystem/discharge-disposition';
  const d = r.discharge;
  const last = r.phases?.at(-1);
  switch (r.session.phase) {
    case 'discharged':
      return {
        coding: [{ system: DD, code: 'home', display: 'Home' }],
        text: d
          ? `Discharged: ${dischargeScoreOf(d.assessment).name} ${d.assessment.score}/10 (site threshold ${d.assessment.minScore}); ${d.assessment.met ? 'discharge criteria met' : `criteria not met, discharged on the physician's decision: ${d.override?.reason ?? ''}`}`
          : 'Discharged',
      };
    case 'transferred':
      return { coding: [{ system: DD, code: 'other-hcf', display: 'Other healthcare facility' }], text: `Transferred: ${last?.reason ?? ''}` };
    default:
      return { text: `Ended early: ${last?.reason ?? ''}` };
  }
}
