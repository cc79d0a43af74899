/**
 * Index of the ASRA/AAPM/ASA 2018 ketamine guideline (Cohen et al., Reg Anesth Pain Med
 * 2018;43:521-546): each table, guideline question and the Discussion's Monitoring section, with
 * what it holds and a verbatim quote from the text. Derived from the guideline text and checked in,
 * so citations can be checked without the source document (guideline.test.ts checks the quotes
 * against the text when it is at hand).
 */
export interface GuidelinePart {
  /** The heading as the guideline prints it. */
  title: string;
  /**
   * What the part holds, as words a citation names (lower case, matched as substrings). A citation
   * of a table must name one of them: a table cited alone, or for something it does not list, is
   * refused.
   */
  holds: readonly string[];
  /** Verbatim (whitespace collapsed) from the guideline: proves the part says what we cite it for. */
  quotes: readonly string[];
}

export const GUIDELINE_DOCUMENT = 'ASRA/AAPM/ASA 2018 ketamine guideline (Cohen et al., Reg Anesth Pain Med 2018;43:521-546)';

export const GUIDELINE_PARTS = {
  'Table 1': {
    title: 'TABLE 1. Pharmacokinetics of Ketamine for Different Routes of Administration',
    holds: ['pharmacokinetic', 'route', 'bioavailability', 'half-life', 'onset'],
    quotes: ['TABLE 1. Pharmacokinetics of Ketamine for Different Routes of Administration'],
  },
  'Table 2': {
    title: 'TABLE 2. Randomized Placebo-Controlled Trials Evaluating Intravenous Ketamine for Chronic Pain With a Minimum of 48 Hours of Follow-Up',
    holds: ['randomized', 'placebo-controlled', 'trials'],
    quotes: ['TABLE 2. Randomized Placebo-Controlled Trials Evaluating Intravenous Ketamine for Chronic Pain'],
  },
  'Table 3': {
    title: 'TABLE 3. Clinical Outcomes for Ketamine Therapy in Headaches',
    holds: ['headache outcomes', 'headaches'],
    quotes: ['TABLE 3. Clinical Outcomes for Ketamine Therapy in Headaches'],
  },
  'Table 4': {
    title: 'TABLE 4. Adverse Effects and Pathophysiology Associated With Subanesthetic Ketamine',
    // Only these: not blood pressure, heart rate or breathing (those are Q6).
    holds: ['psychomimetic', 'dysphoria', 'hallucination', 'nightmare', 'vivid dream', 'blurry vision', 'blurred vision', 'diplopia', 'nausea', 'vomiting', 'hepatic toxicity', 'liver toxicity', 'headache', 'cystitis', 'spinal cord injury'],
    quotes: ['TABLE 4. Adverse Effects and Pathophysiology Associated With Subanesthetic Ketamine', 'Blurry vision or diplopia', 'Hepatic toxicity', 'Cystitis', 'Spinal cord injury'],
  },
  'Table 5': {
    title: 'TABLE 5. Contraindications to and Precautions for Use of Subanesthetic Doses of Ketamine for Chronic Pain',
    holds: ['contraindication', 'precaution', 'cardiovascular', 'neurological', 'ophthalmic', 'endocrin', 'metabolic', 'gastrointestinal', 'pregnancy', 'psychiatric', 'consent'],
    quotes: ['TABLE 5. Contraindications to and Precautions for Use of Subanesthetic Doses of Ketamine for Chronic Pain', 'Refusal or inability to consent'],
  },
  'Table 6': {
    title: 'TABLE 6. Summary of ASRA/AAPM/ASA Recommendations for Ketamine Infusions for Chronic Pain',
    holds: ['indications', 'dosing', 'bolus', 'infusion', 'dose response', 'relative contraindications', 'oral', 'preinfusion tests', 'positive response', 'personnel', 'supervising clinician', 'administering clinician', 'monitored setting', 'setting', 'rescue medications'],
    quotes: [
      'TABLE 6. Summary of ASRA/AAPM/ASA Recommendations for Ketamine Infusions for Chronic Pain',
      'Dosing range and dose response (1) Bolus: up to 0.35 mg/kg',
      '(2) Infusion: 0.5 to 2 mg/kg per hour, although dosages up to 7 mg/kg per hour have been successfully used in refractory cases in ICU settings',
      '(3) Setting: at dosages exceeding 1 mg/kg per hour, a monitored setting containing resuscitative equipment and immediate access to rescue medications and personnel who can treat emergencies should be used',
    ],
  },
  'Monitoring section': {
    title: 'Monitoring (Discussion, before Guideline Question 1)',
    holds: ['monitoring', 'before', 'periodically', 'discharge'],
    quotes: [
      "monitoring the patient's level of consciousness, ventilation, oxygenation, and hemodynamic status prior to sedation, after the infusion has begun, periodically throughout the infusion, and prior to discharge, whereby certain discharge criteria must be met",
      'In patients with a history of angina, the physician might consider utilizing more frequent blood pressure monitoring',
    ],
  },
  Q1: {
    title: 'Guideline Question 1: Which Patients and Chronic Pain Conditions Should Be Considered for Ketamine Infusions?',
    holds: ['indications'],
    quotes: ['Guideline Question 1: Which Patients and Chronic Pain Conditions Should Be Considered for Ketamine Infusions?'],
  },
  Q2: {
    title: 'Guideline Question 2: What Are the Contraindications for Ketamine Infusions?',
    holds: ['contraindications', 'hallucinations', 'benzodiazepines', 'clonidine', 'not antipsychotics', 'liver'],
    quotes: [
      'Guideline Question 2: What Are the Contraindications for Ketamine Infusions?',
      'the treatment of choice to prevent or abort ketamine-induced hallucinations or dissociative effects is low-dose benzodiazepines (such as IV lorazepam or midazolam) or α2 agonists (clonidine), and not antipsychotics',
    ],
  },
  Q3: {
    title: 'Guideline Question 3: Is There Any Evidence for a Therapeutic Dose Cutoff Threshold, a Dose-Response Relationship, Longer (ie, Continuous Versus Boluses), More Frequent (repeat) Infusions, or Higher Dosages to Be More Effective for Chronic Pain?',
    holds: ['dose', '7 mg/kg', '80 mg'],
    quotes: [
      'Multiday anesthetic-dose infusions of ketamine in dosages up to 7 mg/kg per hour have been successfully reported to alleviate severe, refractory CRPS and other chronic pain conditions, but require intensive care unit monitoring and intubation or other precautions to protect against aspiration',
    ],
  },
  Q4: {
    title: 'Guideline Question 4: Is There Any Role for Oral Ketamine or Another NMDA Receptor Antagonist as a Follow-Up Treatment in Lieu of Repeat Infusions?',
    holds: ['oral'],
    quotes: ['Guideline Question 4: Is There Any Role for Oral Ketamine or Another NMDA Receptor Antagonist as a Follow-Up Treatment in Lieu of Repeat Infusions?'],
  },
  Q5: {
    title: 'Guideline Question 5: What Tests Should Be Ordered Prior to an Infusion of Ketamine?',
    holds: ['tests', 'ecg', 'liver function'],
    quotes: ['Guideline Question 5: What Tests Should Be Ordered Prior to an Infusion of Ketamine?'],
  },
  Q6: {
    title:
      'Guideline Question 6: What Training Is Prudent for Personnel Who Administer Boluses and Infusions and Oversee Dose Titration? Does This Recommendation Change With Dosage (That Is, Subanesthetic Versus Anesthetic Range) or Route of Administration?',
    holds: ['personnel', 'training', 'hemodynamic', 'respiratory', 'monitoring', 'midazolam', 'bolus', 'infusion', 'elderly', 'resuscitation', 'sedation'],
    quotes: [
      'Hemodynamic adverse effects include tachycardia, arrhythmias, and hypertension, whereas possible respiratory events include hypoventilation or hyperventilation, oxygen desaturation, and hypoxia',
      'The majority of these adverse effects are transient and can be treated by lowering the rate of infusion or stopping it',
      'the potential interaction of ketamine with concomitantly administered medications that may enhance certain effects (eg, midazolam)',
      'bolus dose of ≥0.35 mg/kg and/or infusion of ≥1 mg/',
      'lower thresholds should trigger the requirements for more intensive monitoring and safety measures',
      'Higher cutoffs using subanesthetic dosages may also be utilized in appropriately resourced environments',
      'The basic monitoring requirements (hemodynamic and respiratory parameters, sedation levels using a validated scale) remain the same',
      'change the infusion rate based on directions from the responsible physician',
    ],
  },
  Q7: {
    title: 'Guideline Question 7: What Preemptive Medications Should Be Available for Administration as Rescue Medications to Treat Possible Adverse Events Related to Ketamine Infusions?',
    holds: ['rescue', 'haloperidol', 'benzodiazepine', 'clonidine', 'psychomimetic'],
    quotes: [
      'the butyrophenone haloperidol for its antiemetic properties, sedative effects, and reduction of psychomimetic symptoms and emergence reactions',
      'anesthetic doses (up to 117 μg/kg/min or 7 mg/kg per hour) resulted in 90% of patients experiencing moderate to severe psychomimetic effects',
    ],
  },
  Q8: {
    title: 'Guideline Question 8: What Constitutes a Positive Treatment Response for Chronic Pain?',
    holds: ['response', 'treatments'],
    quotes: ['Guideline Question 8: What Constitutes a Positive Treatment Response for Chronic Pain?'],
  },
} as const satisfies Record<string, GuidelinePart>;

export type GuidelinePartId = keyof typeof GUIDELINE_PARTS;

/**
 * The parts a text cites ("Q6", "Table 6", "Monitoring section"), each with the clause it stands in.
 * clause: from the citation to the next ';' or '|' (a rule's source, where the citation comes
 * first); 'cell': the whole stretch between '|' (a line of prose or a table cell, where what is
 * cited may come before the citation).
 */
export function citations(text: string, scope: 'clause' | 'cell' = 'clause'): { part: string; clause: string }[] {
  const out: { part: string; clause: string }[] = [];
  const re = /\b(Q\d+|Table \d+|Monitoring section)\b/g;
  for (const m of text.matchAll(re)) {
    const start = m.index;
    const rest = text.slice(start);
    const end = rest.search(scope === 'clause' ? /[;|]/ : /\|/);
    const from = scope === 'clause' ? start : text.lastIndexOf('|', start) + 1;
    out.push({ part: m[1]!, clause: text.slice(from, end < 0 ? text.length : start + end) });
  }
  return out;
}

/**
 * Problems with the guideline citations in a text: a part the guideline does not have, or a table
 * cited without naming anything it holds (e.g. "Table 4" for hypertension). Empty when all is well.
 */
export function citationIssues(text: string, scope: 'clause' | 'cell' = 'clause'): string[] {
  const issues: string[] = [];
  for (const { part, clause } of citations(text, scope)) {
    const p = (GUIDELINE_PARTS as Record<string, GuidelinePart>)[part];
    if (!p) {
      issues.push(`${part}: the guideline has no such part ("${clause}")`);
      continue;
    }
    if (!part.startsWith('Table')) continue;
    const lower = clause.toLowerCase();
    if (!p.holds.some((h) => lower.includes(h))) issues.push(`${part} is cited without naming what it holds (${p.holds.slice(0, 6).join(', ')}, ...): "${clause}"`);
  }
  return issues;
}
