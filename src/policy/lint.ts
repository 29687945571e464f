import { appiLintRules, type LintRule } from '../law/appi/lint-rules.ts';
import type { LoadedPolicy, PolicyIssue } from './load-policy.ts';

/**
 * Runs every APPI lint rule (from law/appi) over a loaded policy and locates each finding in the file. Issues come
 * sorted by position, errors before warnings at the same place.
 * @example const issues = lintPolicy(loaded); const failed = issues.some((i) => i.severity === 'error');
 */
export function lintPolicy(loaded: LoadedPolicy, rules: readonly LintRule[] = appiLintRules): PolicyIssue[] {
  const issues = rules.flatMap((rule) =>
    rule.check(loaded.policy).map((finding): PolicyIssue => ({
      file: loaded.file,
      ...loaded.locate(finding.path),
      rule: rule.id,
      article: rule.article,
      severity: rule.severity,
      message: finding.message,
      path: finding.path,
    })),
  );
  return issues.sort((a, b) => a.line - b.line || a.col - b.col || severityOrder(a) - severityOrder(b));
}

function severityOrder(issue: PolicyIssue): number {
  return issue.severity === 'error' ? 0 : 1;
}
