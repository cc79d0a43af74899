import type { RuleSet } from '@infusion/shared';

/** The document an admin edits: the whole rule set minus id and version (the server assigns those). */
export function editableRuleSetText(rs: RuleSet): string {
  const { id: _id, version: _version, ...rest } = rs;
  return JSON.stringify(rest, null, 2);
}

/** The edited text as a JSON object, or why it is not one (the server validates the rest). */
export function parseRuleSetText(text: string): { ok: true; doc: Record<string, unknown> } | { ok: false; reason: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return { ok: false, reason: `not valid JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { ok: false, reason: 'the rule set must be a JSON object' };
  const { id: _id, version: _version, ...rest } = doc as Record<string, unknown>;
  return { ok: true, doc: rest };
}
