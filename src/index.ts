/** mamori's public Node API. */
export { startServer, createContext, loadLintedPolicy, type StartOptions, type RunningServer } from './server.ts';
export { parsePolicy, loadPolicyFile, formatIssues, localize, type LoadedPolicy, type PolicyIssue } from './policy/load-policy.ts';
export { lintPolicy } from './policy/lint.ts';
export { policySchema, type Policy, type RequestKind } from './policy/schema.ts';
export { createManualClock, systemClock, type Clock } from './clock.ts';
export { MamoriError, errorCodes } from './errors.ts';
export { renderPolicy, type RenderOptions } from './policy/render.ts';
export { publishVersion, listVersions, getVersion, latestVersion, versionInForce, changedPurposes } from './policy/policy-versions.ts';
export { diffPolicies, diffPlainText, diffHtml } from './policy/policy-diff.ts';
export { appendAudit, verifyAuditChain, verifyAuditLog, registerAuditKey } from './audit/audit-log.ts';
export { createAssertion, verifyAssertion, type AssertionPayload } from './auth/signed-assertion.ts';
export { recordProvision, recordReceipt, recordRelatedConfirmation, purgeExpiredRecords } from './records/provision-records.ts';
export { assessIncident } from './records/incidents.ts';
export { openStore, type Store } from './store/store.ts';
export { migrateToLatest } from './store/migrate.ts';
