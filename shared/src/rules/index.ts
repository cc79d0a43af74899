import defaultRuleSetJson from './default-ruleset.json';
import { ruleSetSchema, type RuleSet } from './schema';

export * from './schema';
export * from './context';
export * from './engine';
export * from './stored';
export * from './overrides';
export { fmtDuration } from './format';

/** The shipped rule set, validated at import so a bad edit fails loudly at start. */
export const defaultRuleSet: RuleSet = ruleSetSchema.parse(defaultRuleSetJson);
