/** mamori's public Node API. */
export { startServer, createContext, loadLintedPolicy, type StartOptions, type RunningServer } from './server.ts';
export { parsePolicy, loadPolicyFile, formatIssues, localize, type LoadedPolicy, type PolicyIssue } from './policy/load-policy.ts';
export { lintPolicy } from './policy/lint.ts';
export { policySchema, type Policy, type RequestKind } from './policy/schema.ts';
export { createManualClock, systemClock, type Clock } from './clock.ts';
export { MamoriError, errorCodes } from './errors.ts';
