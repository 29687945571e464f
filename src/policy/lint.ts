import { appiLintRules, type LintRule } from '../law/appi/lint-rules.ts';
import type { LoadedPolicy, PolicyIssue } from './load-policy.ts';

/**
 * Runs every APPI lint rule (from law/appi) over a loaded policy and locates each finding in the file. Issues come
 * sorted by position, errors before warnings at the same place. Warnings the file accepts with a reason (see
 * {@link lintPolicyReport}) are left out; errors cannot be accepted.
 * @example const issues = lintPolicy(loaded); const failed = issues.some((i) => i.severity === 'error');
 */
export function lintPolicy(loaded: LoadedPolicy, rules: readonly LintRule[] = appiLintRules): PolicyIssue[] {
  return lintPolicyReport(loaded, rules).issues;
}

export interface LintReport {
  issues: PolicyIssue[];
  /** Warnings left out because the file accepts them with a reason. */
  accepted: PolicyIssue[];
}

/**
 * Like {@link lintPolicy}, and also returns the accepted warnings. A warning is accepted by a comment on its line or
 * the line above, naming the rule and giving a reason:
 * ```yaml
 * # mamori-lint accept appi-37-operator-grounds: each case is an instance of 34条 (reviewed 2025-04)
 * ```
 */
export function lintPolicyReport(loaded: LoadedPolicy, rules: readonly LintRule[] = appiLintRules): LintReport {
  const all = rules.flatMap((rule) =>
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
  all.sort((a, b) => a.line - b.line || a.col - b.col || severityOrder(a) - severityOrder(b));
  const acceptedAt = acceptances(loaded.source);
  const isAccepted = (i: PolicyIssue) => i.severity === 'warning' && [i.line, i.line - 1].some((l) => acceptedAt.get(l)?.has(i.rule));
  return { issues: all.filter((i) => !isAccepted(i)), accepted: all.filter(isAccepted) };
}

/** `# mamori-lint accept rule-a, rule-b: reason`: a reason is required, so an acceptance explains itself. */
const ACCEPT = /#\s*mamori-lint\s+accept\s+([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)\s*:\s*\S/;

function acceptances(source: string): Map<number, Set<string>> {
  const out = new Map<number, Set<string>>();
  source.split('\n').forEach((text, i) => {
    const m = ACCEPT.exec(text);
    if (m?.[1]) out.set(i + 1, new Set(m[1].split(',').map((r) => r.trim())));
  });
  return out;
}

function severityOrder(issue: PolicyIssue): number {
  return issue.severity === 'error' ? 0 : 1;
}
