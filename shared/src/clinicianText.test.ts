import { describe, expect, it } from 'vitest';
import { clinicianText, DEVELOPER_TEXT, personName } from './clinicianText';
import defaultFormulary from './default-formulary.json';
import { defaultRuleSet, formatSource } from './rules/index';

const developerText = (s: string) => DEVELOPER_TEXT.filter((p) => p.test(s)).map(String);

describe('text shown to clinicians', () => {
  it('renders rule set sources and titles without file names, rule ids or placeholders', () => {
    const titles = new Map(defaultRuleSet.rules.map((r) => [r.id, r.title]));
    const raw = defaultRuleSet.rules.flatMap((r) => [r.title, formatSource(r.source)]);
    // The data keeps its references (the check below is not vacuous) ...
    expect(raw.some((s) => developerText(s).length > 0)).toBe(true);
    // ... and what the screen shows has none.
    for (const s of raw) expect(developerText(clinicianText(s, (id) => titles.get(id))), s).toEqual([]);
  });

  it('puts reference sections into clinical words', () => {
    expect(clinicianText('ASRA/AAPM/ASA 2018 ketamine guideline (monitoring of oxygenation) with clinical-reference.md section 2 thresholds')).toBe(
      'ASRA/AAPM/ASA 2018 ketamine guideline (monitoring of oxygenation) with monitoring thresholds (institutional defaults)',
    );
    expect(clinicianText('required monitoring, Q6) with clinical-reference.md sections 2 and 4 (technical alarms)')).toBe(
      'required monitoring, Q6) with monitoring thresholds (institutional defaults) and IEC 60601-1-8 alarm signals (technical alarms)',
    );
    expect(clinicianText('SpO2 < 88 % (spo2.low.high)')).toBe('SpO2 < 88 %');
    expect(clinicianText('missing readings raise the technical alarm tech.resp.absent, never apnea', (id) => (id === 'tech.resp.absent' ? 'Respiration absent' : undefined))).toBe(
      'missing readings raise the technical alarm "Respiration absent", never apnea',
    );
    // Numbers and abbreviations are left alone.
    expect(clinicianText('bolus up to 0.35 mg/kg, e.g. 24.5 mg')).toBe('bolus up to 0.35 mg/kg, e.g. 24.5 mg');
  });

  it('renders the formulary without "(site to specify)"', () => {
    const texts = JSON.stringify(defaultFormulary).match(/"[^"]*"/g) ?? [];
    expect(texts.some((s) => /site to specify/.test(s))).toBe(true);
    for (const s of texts) expect(developerText(clinicianText(s)), s).toEqual([]);
  });

  it('names people by display name, never by internal id', () => {
    expect(personName('user:nurse', { nurse: 'Demo Nurse' })).toBe('Demo Nurse');
    expect(personName('user:nurse')).toBe('nurse');
    expect(personName('system:demo')).toBe('the system');
    expect(personName('scenario:desaturation')).toBe('the scenario (simulated colleague)');
    expect(clinicianText('acknowledged by user:nurse')).toBe('acknowledged by nurse');
  });
});
