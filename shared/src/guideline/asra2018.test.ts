import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONTRAINDICATIONS, evaluateChecklist } from '../checklist';
import { defaultFormulary } from '../formulary';
import { defaultRuleSet } from '../rules/index';
import { GUIDELINE_PARTS, citationIssues, citations } from './asra2018';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Every line of the project's docs and source (tests excluded) that cites a part of the guideline. */
function citingLines(): { where: string; text: string }[] {
  const out: { where: string; text: string }[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      // The index itself names the parts it describes.
      if (name === 'node_modules' || name === 'dist' || name === 'asra2018.ts') continue;
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(md|ts|tsx|json)$/.test(name) && !/\.test\.tsx?$/.test(name))
        readFileSync(p, 'utf8')
          .split('\n')
          .forEach((text, i) => {
            if (citations(text).length) out.push({ where: `${relative(ROOT, p)}:${i + 1}`, text });
          });
    }
  };
  for (const d of ['docs', 'shared/src', 'server/src', 'client/src', 'simulator/src']) walk(join(ROOT, d));
  for (const f of ['README.md']) readFileSync(join(ROOT, f), 'utf8').split('\n').forEach((text, i) => citations(text).length && out.push({ where: `${f}:${i + 1}`, text }));
  return out;
}

/** The guideline text, when it is beside the project (CI: ../shared/seeds) or named by GUIDELINE_TEXT. */
function guidelineText(): string | null {
  const candidates = [process.env.GUIDELINE_TEXT, join(ROOT, '../shared/seeds/asra-aapm-asa-2018-ketamine-chronic-pain-guidelines.txt')];
  for (const c of candidates) if (c && existsSync(c)) return readFileSync(c, 'utf8').replace(/\s+/g, ' ');
  return null;
}

describe('the guideline index', () => {
  it('has the guideline\'s six tables, eight questions and the Monitoring section, each with what it holds and a quote', () => {
    expect(Object.keys(GUIDELINE_PARTS).sort()).toEqual(
      ['Monitoring section', 'Q1', 'Q2', 'Q3', 'Q4', 'Q5', 'Q6', 'Q7', 'Q8', 'Table 1', 'Table 2', 'Table 3', 'Table 4', 'Table 5', 'Table 6'].sort(),
    );
    for (const [id, p] of Object.entries(GUIDELINE_PARTS)) {
      expect(p.holds.length, id).toBeGreaterThan(0);
      expect(p.quotes.length, id).toBeGreaterThan(0);
    }
    // Table 4 lists no hemodynamic or respiratory effect: those are Q6.
    for (const word of ['hypertension', 'tachycardia', 'blood pressure', 'heart rate', 'hypoventilation', 'desaturation', 'respiratory'])
      expect(GUIDELINE_PARTS['Table 4'].holds.some((h) => h.includes(word)), word).toBe(false);
  });

  it('quotes the guideline verbatim (checked against the text wherever it is at hand)', () => {
    const text = guidelineText();
    // Without the text (a fresh clone without ../shared) the checked-in index stands on its own.
    if (text === null) return;
    for (const [id, p] of Object.entries(GUIDELINE_PARTS)) for (const q of p.quotes) expect(text.includes(q), `${id}: "${q}"`).toBe(true);
  });

  it('finds a citation of a missing part and a table cited for what it does not hold', () => {
    expect(citationIssues('Q6 Monitoring, Table 4; threshold SBP > 180 mmHg high')).toEqual([expect.stringMatching(/^Table 4 is cited without naming what it holds/)]);
    expect(citationIssues('Q6 Monitoring, Table 4 (hypoventilation); threshold RR < 10')).toHaveLength(1);
    expect(citationIssues('Q9; Table 7 (dosing)')).toEqual([expect.stringMatching(/^Q9: the guideline has no such part/), expect.stringMatching(/^Table 7: the guideline has no such part/)]);
    expect(citationIssues('Table 4 (psychomimetic effects); Q6 (hemodynamic adverse effects)')).toEqual([]);
  });
});

describe('every guideline citation the product makes', () => {
  it('in the shipped rule set names a part the guideline has, and a table only for what it holds', () => {
    const issues: string[] = [];
    const check = (where: string, text: string) => issues.push(...citationIssues(text).map((i) => `${where}: ${i}`));
    for (const r of defaultRuleSet.rules) {
      for (const t of [r.title, r.message, r.source.document, r.source.section, ...r.actions]) check(r.id, t);
    }
    for (const [name, p] of Object.entries(defaultRuleSet.profiles ?? {})) if (p?.source) check(`profile ${name}`, `${p.source.document}; ${p.source.section}`);
    expect(issues).toEqual([]);
  });

  it('in the formulary and the pre-infusion checklist does the same', () => {
    const issues: string[] = [];
    for (const e of defaultFormulary.entries) for (const t of [e.source, e.doseSource ?? '', ...e.cautions]) issues.push(...citationIssues(`${t} (${e.drug}: ${e.indications.join(', ')})`));
    for (const c of CONTRAINDICATIONS) issues.push(...citationIssues(`${c.source} (${c.label})`));
    const yes = Object.fromEntries(CONTRAINDICATIONS.map((c) => [c.id, false]));
    const { items } = evaluateChecklist(
      { contraindications: yes, pregnancy: { result: 'negative' }, consentObtained: true, cardiovascularRisk: false, ecgDone: false, liverRisk: false, lftsDone: false, physicianImmediatelyAvailable: true, resuscitationEquipmentChecked: true, rescueDrugsChecked: true, orderedRateMgKgH: 0.5 } as Parameters<typeof evaluateChecklist>[0],
      { setting: 'clinic', baselineVitals: { sbp: 120, dbp: 80, hr: 70, spo2: 98, etco2: 38 }, hypertensionLimit: { sbpAbove: 180, dbpAbove: 110, source: 'ASRA/AAPM/ASA 2018, Q6 (hemodynamic adverse effects)' }, sedationRecorded: true, painRecorded: true, physicianAssigned: true },
    );
    for (const i of items) issues.push(...citationIssues(`${i.source} (${i.label})`));
    expect(issues).toEqual([]);
  });

  it('in the docs and the source (dashboard, server, simulator) does the same', () => {
    const issues = citingLines().flatMap(({ where, text }) => citationIssues(text, 'cell').map((i) => `${where}: ${i}`));
    expect(issues).toEqual([]);
  });

  it('attributes "before, periodically throughout and prior to discharge" to the Monitoring section, and claims no maximum the guideline does not state', () => {
    const texts = [
      ...defaultRuleSet.rules.flatMap((r) => [r.source.document, r.source.section, ...r.actions].map((text) => ({ where: r.id, text }))),
      ...citingLines(),
    ];
    const wrong: string[] = [];
    for (const { where, text } of texts) {
      if (/periodically throughout|prior to discharge/i.test(text) && !/Monitoring section/.test(text)) wrong.push(`${where}: "periodically throughout" without the Monitoring section`);
      if (/no more than 7 mg\/kg/i.test(text)) wrong.push(`${where}: the guideline states no maximum of 7 mg/kg/h (Q3 reports it, with ICU monitoring and intubation)`);
    }
    expect(wrong).toEqual([]);
  });
});
