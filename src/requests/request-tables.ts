/** Tables owned by the requests domain. Conventions: ISO-8601 UTC text times, 0/1 booleans, JSON as text. */
export interface RequestTables {
  requests: RequestTable;
  request_codes: RequestCodeTable;
  request_events: RequestEventTable;
  request_files: RequestFileTable;
  request_gathered: RequestGatheredTable;
  request_packages: RequestPackageTable;
  request_downloads: RequestDownloadTable;
  request_rate_limits: RequestRateLimitTable;
  request_identity_confirmations: RequestIdentityConfirmationTable;
  assertion_uses: AssertionUseTable;
  request_staff_alerts: RequestStaffAlertTable;
}

/** One APPI request (開示等の請求), from filing to closing. */
export interface RequestTable {
  id: string;
  kind: string;
  state: string;
  /** `privacy_center` or the policy contact id it arrived through (postal, phone, email, web form). */
  channel: string;
  lang: string;
  /** Null only for staff-entered requests without an email (e.g. postal, answered by letter). */
  email: string | null;
  account_id: string | null;
  /** The operator's user id from a signed assertion (verified). `account_id` is only what was typed: a claim. */
  subject_id: string | null;
  description: string;
  /** Chosen delivery for disclosure (33条1項): electronic | paper. */
  delivery: string | null;
  agent_kind: string | null;
  agent_relationship: string | null;
  agent_name: string | null;
  /** How the email address was verified: email_code | app_assertion | staff. */
  verified_via: string | null;
  verified_at: string | null;
  identity_confirmed_at: string | null;
  token_hash: string | null;
  target_days: number;
  /** Due date ignoring the running pause (pauses already taken are added in). */
  due_at: string | null;
  paused_since: string | null;
  /** Seconds already spent waiting on the requester (payment, documents). */
  paused_s: number;
  fee_amount: number | null;
  fee_tax: string | null;
  fee_paid_at: string | null;
  fee_payment_method: string | null;
  fee_reference: string | null;
  decision_json: string | null;
  decided_at: string | null;
  delivered_at: string | null;
  closed_at: string | null;
  entered_by: string | null;
  created_at: string;
  updated_at: string;
  /** What the operator's systems linked the verified identifiers to (JSON, see request-identities.ts). */
  resolution_json: string | null;
  /** The 35条 conditions the person named (JSON list of suspension-ground keys), for suspension and stop of provision. */
  grounds_json: string | null;
  /** The staff id the request is assigned to (0230). */
  assignee?: string | null;
  /** Digits the person quotes when paying (振込依頼人名の前に入力), set when the fee is asked for. */
  payment_code: string | null;
  /** The end of the last JST day to pay; an unpaid request lapses after it. */
  payment_due_at: string | null;
}

export interface RequestCodeTable {
  request_id: string;
  code_hash: string;
  created_at: string;
  expires_at: string;
  attempts: number;
  used_at: string | null;
}

/** The timeline: every state change and every staff view, with who and when. */
export interface RequestEventTable {
  id: string;
  request_id: string;
  n: number;
  at: string;
  actor: string;
  action: string;
  /** Facts as JSON (ids, states, amounts; never the requester's email). */
  data: string;
}

/** Uploaded documents (agent proofs, identity documents, scanned letters, gathered files): encrypted at rest. */
export interface RequestFileTable {
  id: string;
  request_id: string;
  purpose: string;
  proof_kind: string | null;
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
  /** AES-256-GCM sealed bytes, base64. */
  sealed: string;
  uploaded_by: string;
  created_at: string;
}

/** Data gathered for a disclosure: from other domains' hooks or entered by staff. */
export interface RequestGatheredTable {
  id: string;
  request_id: string;
  source: string;
  title_json: string;
  /** Sealed JSON of the section's groups (personal data, so encrypted like files). */
  sealed_groups: string;
  entered_by: string;
  created_at: string;
}

/** A delivered disclosure package (zip) or paper letter (HTML), sealed at rest. */
export interface RequestPackageTable {
  id: string;
  request_id: string;
  format: string;
  created_at: string;
  expires_at: string | null;
  download_token_hash: string | null;
  size: number;
  sha256: string;
  sealed: string;
  download_count: number;
}

export interface RequestDownloadTable {
  id: string;
  package_id: string;
  request_id: string;
  at: string;
  via: string;
}

/** Fixed-window counters shared by every process (filing, code attempts, new codes). */
export interface RequestRateLimitTable {
  bucket: string;
  window_start: string;
  count: number;
}

/** A claimed identifier staff confirmed from documents, with the reason (APPI 37条). */
export interface RequestIdentityConfirmationTable {
  id: string;
  request_id: string;
  kind: string;
  value: string;
  confirmed_by: string;
  confirmed_at: string;
  reason: string;
}

/** Signed assertions already used (a digest of the whole token), kept until they expire: each works once. */
export interface AssertionUseTable {
  digest: string;
  expires_at: string;
}

/** One staff alert already sent (its key makes the sweep idempotent across instances). */
export interface RequestStaffAlertTable {
  key: string;
  request_id: string;
  kind: string;
  created_at: string;
}
