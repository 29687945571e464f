/** Tables owned by the consent domain. Conventions: ISO-8601 UTC text times, 0/1 booleans, JSON as text. */
export interface ConsentTables {
  consent_receipts: ConsentReceiptTable;
  consent_preferences: ConsentPreferenceTable;
  consent_api_keys: ConsentApiKeyTable;
  consent_versions: ConsentVersionTable;
}

/** Append-only: one row per choice a person made (a withdrawal is a new receipt). Never updated or deleted. */
export interface ConsentReceiptTable {
  id: string;
  /** The operator's user id, or an anonymous first-party browser id (`anon_…`). */
  subject: string;
  subject_kind: 'user' | 'browser';
  /** `{ "<purpose id>": true | false }` for every purpose the person chose on. */
  choices: string;
  /** `{ "<purpose id>": { "<tool id>": true | false } }`: each tool's own switch, or null when the receipt names none. */
  tools: string | null;
  /** The consent version of the policy the person was shown. */
  policy_version: string;
  method: 'banner' | 'settings' | 'api' | 'gpc' | 'import';
  recorded_at: string;
  /** Who recorded it: `browser`, `subject:<id>`, `apikey:<id>`. */
  recorded_by: string;
  /** Where it came from: the page origin for consent.js, else null. */
  origin: string | null;
  /** HMAC-SHA256 (server secret) over the receipt's canonical form: proves mamori issued it unchanged. */
  proof: string;
}

/**
 * Current choice per subject and purpose, written in the same transaction as the receipt: decisions read one row. A
 * tool's own switch inside a purpose is a row whose `purpose` is `<purpose id>/<tool id>`.
 */
export interface ConsentPreferenceTable {
  subject: string;
  purpose: string;
  allowed: number;
  policy_version: string;
  method: ConsentReceiptTable['method'];
  receipt_id: string;
  updated_at: string;
}

/** API keys scoped to consent (decisions, receipts) for the operator's servers; only a SHA-256 of the key is kept. */
export interface ConsentApiKeyTable {
  id: string;
  label: string;
  key_hash: string;
  created_at: string;
  revoked_at: string | null;
}

/**
 * Every consent version mamori has served, with what the banner showed under it (purposes, their texts and tools,
 * as JSON), so a receipt's `policy_version` always resolves to the wording the person saw. Insert-only.
 */
export interface ConsentVersionTable {
  version: string;
  purposes: string;
  /** The latest published policy revision (policy_versions.number) when this version was first served, if any. */
  policy_number: number | null;
  first_served_at: string;
}
