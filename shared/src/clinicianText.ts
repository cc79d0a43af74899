/**
 * Text a clinician reads: sources, messages and names keep their full form in the data (audit,
 * export), and are shown through these functions, which put developer notation into clinical words:
 * no file names, rule ids, internal user ids or unfinished placeholders on a clinical screen.
 */

/** What each section of the product's clinical reference is, in the words a clinician uses. */
const REFERENCE_SECTIONS: Record<string, string> = {
  '1': 'guideline requirements',
  '2': 'monitoring thresholds (institutional defaults)',
  '3': 'validated sedation scales',
  '4': 'IEC 60601-1-8 alarm signals',
  '5': 'standard device codes',
  '6': 'pharmacokinetic model',
};

/** Ids like `spo2.low.high` or `tech.resp.absent`: a letter first, two or more dots, no spaces. */
const RULE_ID = /\b[a-z][a-z0-9_]*(?:\.[a-z0-9_]+){2,}\b/g;
/** Any remaining file name a clinician has no use for. */
const FILE_NAME = /\b[\w-]+\.(?:md|ts|tsx|js|json)\b/g;

/** A person as a clinician knows them: the display name where known, else the login name, never `user:…`. */
export function personName(actor: string, displayNames: Readonly<Record<string, string>> = {}): string {
  const known = displayNames[actor];
  if (known) return known;
  const m = /^user:(.+)$/.exec(actor);
  if (m) return displayNames[m[1]!] ?? m[1]!;
  if (actor.startsWith('system:')) return 'the system';
  if (actor.startsWith('device:')) return `device ${actor.slice('device:'.length)}`;
  // What a training scenario documents itself (a colleague's drug, the scripted nurse), never a person.
  if (actor.startsWith('scenario:')) return 'the scenario (simulated colleague)';
  return actor;
}

/**
 * A source, message or label in clinical words. `ruleTitle` names a rule by its id (a rule id
 * without a title is left out rather than shown).
 */
export function clinicianText(text: string, ruleTitle: (id: string) => string | undefined = () => undefined): string {
  return (
    text
      // "clinical-reference.md sections 2 and 4 (technical alarms)" → "monitoring thresholds ... and IEC ... alarm signals (technical alarms)"
      .replace(/clinical-reference\.md,?\s+sections?\s+(\d)(?:\s*(?:and|,)\s*(\d))?(?:\s+thresholds)?/g, (_m, a: string, b?: string) =>
        [a, b].filter((x): x is string => !!x).map((n) => REFERENCE_SECTIONS[n] ?? 'unit reference').join(' and '),
      )
      .replace(/clinical-reference\.md/g, 'unit reference')
      .replace(FILE_NAME, 'unit reference')
      .replace(/\s*\(site to specify\)/gi, ' (agent per local protocol)')
      .replace(/\buser:([\w.-]+)/g, (_m, u: string) => u)
      // "(spo2.low.high)" after a title says nothing to a clinician; a bare id becomes its title.
      .replace(/\s*\((?:[a-z][a-z0-9_]*(?:\.[a-z0-9_]+){2,})\)/g, '')
      .replace(RULE_ID, (id) => {
        const t = ruleTitle(id);
        return t ? `"${t}"` : 'the matching alarm';
      })
  );
}

/** Patterns that must never reach a clinical screen (used by the tests that scan what is shown). */
export const DEVELOPER_TEXT: readonly RegExp[] = [/\.md\b/, /clinical-reference/, /site to specify/i, /\buser:\w/, /\((?:[a-z][a-z0-9_]*\.){2,}[a-z0-9_]+\)/];
