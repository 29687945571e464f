import { announcementRules } from './lint-announcement-rules.ts';
import { provisionRules } from './lint-provision-rules.ts';
import { referenceRules } from './lint-reference-rules.ts';
import { requestRules } from './lint-request-rules.ts';
import type { LintRule } from './lint-rule.ts';
import { externalTransmissionRules } from '../telecom/external-transmission-rules.ts';

export type { LintFinding, LintRule } from './lint-rule.ts';
export { FILL_IN_MARKER } from './lint-reference-rules.ts';

/**
 * Every APPI lint rule, as data. `mamori lint` and `mamori serve` run them all; a rule's id is stable and printed
 * with each finding. Consistency rules (ids starting `policy-`) come first, since a dangling reference makes later
 * findings harder to read.
 */
export const appiLintRules: readonly LintRule[] = [...referenceRules, ...announcementRules, ...requestRules, ...provisionRules, ...externalTransmissionRules];

/** A rule by id (for `mamori lint --explain` and tests). */
export function lintRule(id: string): LintRule | undefined {
  return appiLintRules.find((r) => r.id === id);
}
