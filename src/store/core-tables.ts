/** Tables shared by every domain: policy versions, the audit chain and the mail outbox. */
export interface CoreTables {
  policy_versions: PolicyVersionTable;
  audit_events: AuditEventTable;
  audit_head: AuditHeadTable;
  mail_outbox: MailOutboxTable;
  scheduled_jobs: ScheduledJobTable;
  secret_rotations: SecretRotationTable;
}

/** One `mamori secret rotate` run: while a row is `running`, neither the server nor the CLI opens the store. */
export interface SecretRotationTable {
  id: string;
  /** running | finished */
  state: string;
  /** Keyed fingerprints of the old and new secrets (HMAC under a derived key, never the secrets): a resumed run must bring the same pair. */
  old_check: string;
  new_check: string;
  /** JSON: per item (audit rows, files, packages, …) its cursor, counts and whether it is done. */
  progress_json: string;
  started_at: string;
  finished_at: string | null;
}

/** One row per scheduled job (retention purge, audit verification, …): locked while it runs on one instance. */
export interface ScheduledJobTable {
  name: string;
  /** The last slot done (`2026-11-30` for a daily job); slots compare as strings. */
  last_slot: string;
  last_run_at: string | null;
  /** The process that ran it (pid), for the operator. */
  last_owner: string | null;
  /** Long jobs (site audits) run outside a transaction, under a lease: who holds it, and until when (ISO). */
  lease_owner: string | null;
  lease_until: string | null;
}

export interface PolicyVersionTable {
  id: string;
  /** Sequential number shown to people: 1, 2, 3 … */
  number: number;
  effective_on: string; // YYYY-MM-DD
  published_at: string;
  published_by: string;
  content_hash: string;
  /** The policy as parsed JSON (normalized), so old versions render without the old file. */
  policy_json: string;
  source_yaml: string;
  note: string | null;
  /** When purposes changed versus the previous version: 'related' (17条2項) or 'consent'; null otherwise. */
  purpose_change: string | null;
}

export interface AuditEventTable {
  seq: number;
  id: string;
  at: string;
  actor: string;
  action: string;
  target_type: string;
  target_id: string | null;
  data: string;
  prev_hash: string;
  hash: string;
  /** HMAC-SHA256 of the row's hash under the audit key; null for rows written without a key. */
  row_mac: string | null;
}

/** The chain head signed with the audit key (one row, id 1), moved in the same transaction as each append. */
export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
  mac: string;
}

export interface MailOutboxTable {
  id: string;
  created_at: string;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string | null;
  /** What the mail is about, for the timeline and tests: e.g. `request.received`. No personal data. */
  topic: string;
  ref_type: string | null;
  ref_id: string | null;
  attempts: number;
  next_attempt_at: string;
  locked_until: string | null;
  /** The outbox sender (one per process) whose lease `locked_until` is: only it renews the lease or reschedules. */
  lock_owner: string | null;
  sent_at: string | null;
  last_error: string | null;
}
