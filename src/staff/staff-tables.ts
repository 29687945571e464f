/** Tables owned by the staff domain (accounts, sessions, API keys). Conventions: ISO-8601 UTC text times, 0/1 booleans, JSON as text. */
export interface StaffTables {
  staff_users: StaffUserTable;
  staff_sessions: StaffSessionTable;
  api_keys: ApiKeyTable;
  staff_login_failures: StaffLoginFailureTable;
}

export interface StaffUserTable {
  id: string;
  /** Lower-cased, unique. */
  email: string;
  role: string;
  /** `scrypt$N$r$p$salt$hash` (base64url parts). */
  password_hash: string;
  disabled: number;
  created_at: string;
  updated_at: string;
  last_login_at: string | null;
}

export interface StaffSessionTable {
  /** SHA-256 (hex) of the session token: the token itself is only ever in the cookie. */
  token_hash: string;
  staff_id: string;
  created_at: string;
  last_seen_at: string;
  /** Absolute expiry; the idle expiry is computed from `last_seen_at`. */
  expires_at: string;
  revoked_at: string | null;
}

export interface ApiKeyTable {
  id: string;
  name: string;
  /** The non-secret start of the key, shown in lists (e.g. `mk_3f9a1c2d`). */
  prefix: string;
  /** SHA-256 (hex) of the whole key. */
  key_hash: string;
  role: string;
  created_at: string;
  created_by: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** One failed sign-in, keyed by a hash of the email or of the client address (no personal data in clear). */
export interface StaffLoginFailureTable {
  id: string;
  scope_key: string;
  at: string;
}
