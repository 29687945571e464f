import type { PolicyIssue } from '../policy/load-policy.ts';
import type { Policy } from '../policy/schema.ts';

/** Lints a dataset graph file against the policy (`mamori lint --graph`). (Placeholder: the connectors domain fills this in.) */
export function lintGraphFile(_path: string, _policy: Policy): PolicyIssue[] {
  return [];
}
