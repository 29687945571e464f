/**
 * The audit log: append-only, hash-chained events, each row and the head signed with a key derived from the server
 * secret. This module is the entry the services import; the parts live beside it (event and hashing, append,
 * verification and its problems, export and listing).
 */
export { registerAuditKey, deriveAuditKey } from './audit-key.ts';
export { ANCHOR_INVALID_ACTION, GENESIS_HASH, canonicalJson, hashAuditEvent, type Actor, type AuditEvent, type AuditEventInput } from './audit-event.ts';
export { appendAudit, appendAuditEvents } from './audit-append.ts';
export { describeAuditProblem, type AnchorStatus, type AuditLogVerification, type AuditProblem, type AuditVerification } from './audit-problems.ts';
export { auditChainHead, verifyAuditChain, verifyAuditExport, verifyAuditLog } from './audit-verify.ts';
export { exportAuditJsonl, listAuditEvents } from './audit-read.ts';
