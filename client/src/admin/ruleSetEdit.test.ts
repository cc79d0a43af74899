import { describe, expect, it } from 'vitest';
import { defaultRuleSet } from '@infusion/shared';
import { editableRuleSetText, parseRuleSetText } from './ruleSetEdit';

describe('rule-set edit box', () => {
  it('shows the document without id and version, and reads it back', () => {
    const text = editableRuleSetText(defaultRuleSet);
    const doc = JSON.parse(text) as Record<string, unknown>;
    expect(doc.id).toBeUndefined();
    expect(doc.version).toBeUndefined();
    expect(doc.rules).toEqual(defaultRuleSet.rules);
    const parsed = parseRuleSetText(text);
    expect(parsed.ok && parsed.doc.name).toBe(defaultRuleSet.name);
  });

  it('refuses text that is not a JSON object, and drops id and version typed in', () => {
    expect(parseRuleSetText('{ "rules": [').ok).toBe(false);
    expect(parseRuleSetText('[1]').ok).toBe(false);
    expect(parseRuleSetText('null').ok).toBe(false);
    const r = parseRuleSetText('{ "id": "x", "version": 9, "name": "n" }');
    expect(r).toEqual({ ok: true, doc: { name: 'n' } });
  });
});
