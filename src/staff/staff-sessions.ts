import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { newSecretToken } from '../ids.ts';
import { appendAudit } from '../audit/audit-log.ts';
import type { Db } from '../store/store.ts';
import { isStaffRole, type StaffRole } from './staff-permissions.ts';

/** A session ends after this long without activity … */
export const SESSION_IDLE_MS = 2 * 60 * 60_000;
/** … and in any case this long after sign-in. */
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60_000;
/** `last_seen_at` is written at most this often, so reading pages does not write on every request. */
const TOUCH_EVERY_MS = 60_000;

export interface StaffSession {
  tokenHash: string;
  staffId: string;
  email: string;
  role: StaffRole;
  expiresAt: string;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Starts a session; returns the token for the cookie (only its hash is stored). */
export async function createStaffSession(db: Db, clock: Clock, staffId: string): Promise<{ token: string; expiresAt: string }> {
  const token = newSecretToken();
  const now = clock.now();
  const expiresAt = new Date(now.getTime() + SESSION_ABSOLUTE_MS).toISOString();
  await db.insertInto('staff_sessions').values({ token_hash: hashToken(token), staff_id: staffId, created_at: now.toISOString(), last_seen_at: now.toISOString(), expires_at: expiresAt, revoked_at: null }).execute();
  return { token, expiresAt };
}

/** The live session for a cookie token, or undefined when unknown, revoked, idle too long, expired or the account is disabled. */
export async function resolveStaffSession(db: Db, clock: Clock, token: string | undefined): Promise<StaffSession | undefined> {
  if (!token || token.length > 200) return undefined;
  const tokenHash = hashToken(token);
  const row = await db
    .selectFrom('staff_sessions')
    .innerJoin('staff_users', 'staff_users.id', 'staff_sessions.staff_id')
    .select(['staff_sessions.token_hash', 'staff_sessions.staff_id', 'staff_sessions.last_seen_at', 'staff_sessions.expires_at', 'staff_sessions.revoked_at', 'staff_users.email', 'staff_users.role', 'staff_users.disabled'])
    .where('staff_sessions.token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!row || row.revoked_at || row.disabled === 1 || !isStaffRole(row.role)) return undefined;
  const now = clock.now().getTime();
  const lastSeen = new Date(row.last_seen_at).getTime();
  if (now >= new Date(row.expires_at).getTime() || now - lastSeen >= SESSION_IDLE_MS) return undefined;
  if (now - lastSeen >= TOUCH_EVERY_MS) {
    await db.updateTable('staff_sessions').set({ last_seen_at: new Date(now).toISOString() }).where('token_hash', '=', tokenHash).execute();
  }
  return { tokenHash, staffId: row.staff_id, email: row.email, role: row.role, expiresAt: row.expires_at };
}

/** Ends a session (sign-out). */
export async function revokeStaffSession(db: Db, clock: Clock, session: StaffSession): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('staff_sessions').set({ revoked_at: clock.now().toISOString() }).where('token_hash', '=', session.tokenHash).execute();
    await appendAudit(trx, clock, { actor: `staff:${session.staffId}`, action: 'staff.logout', targetType: 'staff_user', targetId: session.staffId });
  });
}

/**
 * The CSRF token of a session (synchronizer pattern without storage): an HMAC of the session's token hash under the
 * server secret. It changes with every session and cannot be computed without the secret.
 */
export function csrfTokenFor(secret: Buffer, sessionTokenHash: string): string {
  return createHmac('sha256', secret).update(`csrf:${sessionTokenHash}`).digest('base64url');
}

export function csrfTokenMatches(secret: Buffer, sessionTokenHash: string, candidate: unknown): boolean {
  if (typeof candidate !== 'string' || candidate.length === 0 || candidate.length > 100) return false;
  const expected = Buffer.from(csrfTokenFor(secret, sessionTokenHash));
  const actual = Buffer.from(candidate);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
