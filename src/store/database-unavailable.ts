/**
 * Tells a lost or refused database connection from every other failure, so the HTTP edge can answer 503 with
 * Retry-After (the request may be sent again) instead of a 500, and workers can retry instead of giving up.
 *
 * PostgreSQL: class 57 (operator intervention: 57P01 admin shutdown / pg_terminate_backend, 57P02, 57P03) and class
 * 08 (connection exceptions); 53300 too many connections. node-postgres and mysql2 also fail with plain errors when the
 * socket dies ("Connection terminated unexpectedly", ECONNRESET, PROTOCOL_CONNECTION_LOST).
 */
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08004', '08006', '08P01']);
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'PROTOCOL_CONNECTION_LOST', 'ER_SERVER_SHUTDOWN', 'ER_CONNECTION_KILLED', 'ER_QUERY_INTERRUPTED']);
const MESSAGES = [/connection terminated/i, /not queryable/i, /timeout exceeded when trying to connect/i, /terminating connection/i, /connection is in closed state/i, /can't add new command when connection is in closed state/i, /cannot use a pool after calling end/i];

/** Seconds a client is told to wait before sending the request again. */
export const DATABASE_RETRY_AFTER_S = 2;

export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = 'code' in e && typeof e.code === 'string' ? e.code : undefined;
    if (code && (SQLSTATES.has(code) || SOCKET_CODES.has(code))) return true;
    const message = 'message' in e && typeof e.message === 'string' ? e.message : '';
    if (MESSAGES.some((m) => m.test(message))) return true;
  }
  return false;
}

/**
 * SQLSTATEs of values PostgreSQL cannot store that only outside input carries: 22021 (a NUL byte in text), 22P05 (a
 * \u0000 escape in JSON), 22001 (too long for a column), 22P02 (not a number/uuid), 54000 (index row too large).
 * They are the caller's mistake (4xx), not ours.
 */
const BAD_VALUE_SQLSTATES = new Set(['22021', '22P05', '22001', '22P02', '54000']);

export function isBadInputValue(err: unknown): boolean {
  return !!err && typeof err === 'object' && 'code' in err && typeof err.code === 'string' && BAD_VALUE_SQLSTATES.has(err.code) && 'severity' in err;
}
