import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../clock.ts';
import { MamoriError } from '../errors.ts';
import { newId, type StaffId } from '../ids.ts';
import { appendAudit, type Actor } from '../audit/audit-log.ts';
import type { Db, DbOrTrx, Store } from '../store/store.ts';
import { hashPassword, needsRehash, passwordProblem, verifyPassword } from './password-hash.ts';
import { isStaffRole, type StaffRole } from './staff-permissions.ts';
import './staff-errors.ts';

export interface StaffUser {
  id: StaffId;
  email: string;
  role: StaffRole;
  disabled: boolean;
  createdAt: string;
  lastLoginAt: string | null;
}

const emailSchema = z.email().max(254);

type StaffRow = { id: string; email: string; role: string; disabled: number; created_at: string; last_login_at: string | null };

function toUser(row: StaffRow): StaffUser {
  if (!isStaffRole(row.role)) throw new MamoriError('MAMORI_INTERNAL', 'A staff account has an unknown role.');
  return { id: row.id as StaffId, email: row.email, role: row.role, disabled: row.disabled === 1, createdAt: row.created_at, lastLoginAt: row.last_login_at };
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Creates a staff account with a scrypt-hashed password.
 * @example await createStaffUser(store.db, clock, { email: 'dpo@example.jp', role: 'officer', password, actor: 'cli' });
 */
export async function createStaffUser(db: Db, clock: Clock, input: { email: string; role: StaffRole; password: string; actor: Actor }): Promise<StaffUser> {
  const email = normalizeEmail(input.email);
  if (!emailSchema.safeParse(email).success) throw new MamoriError('MAMORI_STAFF_INVALID', 'The email address is not valid.', { field: 'email' });
  if (!isStaffRole(input.role)) throw new MamoriError('MAMORI_STAFF_INVALID', 'The role must be admin, officer, staff or auditor.', { field: 'role' });
  const problem = passwordProblem(input.password);
  if (problem) throw new MamoriError('MAMORI_STAFF_INVALID', problem, { field: 'password' });
  const passwordHash = await hashPassword(input.password);
  const now = clock.now().toISOString();
  const id = newId('stf');
  return db.transaction().execute(async (trx) => {
    const existing = await trx.selectFrom('staff_users').select('id').where('email', '=', email).executeTakeFirst();
    if (existing) throw new MamoriError('MAMORI_STAFF_EXISTS');
    await trx.insertInto('staff_users').values({ id, email, role: input.role, password_hash: passwordHash, disabled: 0, created_at: now, updated_at: now, last_login_at: null }).execute();
    await appendAudit(trx, clock, { actor: input.actor, action: 'staff.created', targetType: 'staff_user', targetId: id, data: { role: input.role } });
    return { id: id as StaffId, email, role: input.role, disabled: false, createdAt: now, lastLoginAt: null };
  });
}

export async function listStaffUsers(db: DbOrTrx): Promise<StaffUser[]> {
  const rows = await db.selectFrom('staff_users').select(['id', 'email', 'role', 'disabled', 'created_at', 'last_login_at']).orderBy('created_at').orderBy('id').execute();
  return rows.map(toUser);
}

export async function findStaffUser(db: DbOrTrx, idOrEmail: string): Promise<StaffUser | undefined> {
  const key = idOrEmail.includes('@') ? normalizeEmail(idOrEmail) : idOrEmail;
  const row = await db
    .selectFrom('staff_users')
    .select(['id', 'email', 'role', 'disabled', 'created_at', 'last_login_at'])
    .where(idOrEmail.includes('@') ? 'email' : 'id', '=', key)
    .executeTakeFirst();
  return row ? toUser(row) : undefined;
}

/** Disables an account and ends its sessions at once. */
export async function disableStaffUser(db: Db, clock: Clock, idOrEmail: string, actor: Actor): Promise<StaffUser> {
  const user = await findStaffUser(db, idOrEmail);
  if (!user) throw new MamoriError('MAMORI_STAFF_NOT_FOUND');
  const now = clock.now().toISOString();
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('staff_users').set({ disabled: 1, updated_at: now }).where('id', '=', user.id).execute();
    await trx.updateTable('staff_sessions').set({ revoked_at: now }).where('staff_id', '=', user.id).where('revoked_at', 'is', null).execute();
    await appendAudit(trx, clock, { actor, action: 'staff.disabled', targetType: 'staff_user', targetId: user.id });
  });
  return { ...user, disabled: true };
}

/**
 * Sets a new password for an account and ends all of its sessions, so whoever held the old password is signed out.
 * Clears the sign-in failures counted for the email (an administrator's reset lets the person in at once). A disabled
 * account stays disabled. The password itself is never recorded, only that it changed and by whom.
 * @example await resetStaffPassword(store.db, clock, 'desk@example.jp', { password: generatePassword(), actor: 'cli' });
 */
export async function resetStaffPassword(db: Db, clock: Clock, idOrEmail: string, input: { password: string; actor: Actor }): Promise<{ user: StaffUser; sessionsEnded: number }> {
  const problem = passwordProblem(input.password);
  if (problem) throw new MamoriError('MAMORI_STAFF_INVALID', problem, { field: 'password' });
  const user = await findStaffUser(db, idOrEmail);
  if (!user) throw new MamoriError('MAMORI_STAFF_NOT_FOUND');
  const passwordHash = await hashPassword(input.password);
  const now = clock.now().toISOString();
  const sessionsEnded = await db.transaction().execute(async (trx) => {
    await trx.updateTable('staff_users').set({ password_hash: passwordHash, updated_at: now }).where('id', '=', user.id).execute();
    const ended = await trx.updateTable('staff_sessions').set({ revoked_at: now }).where('staff_id', '=', user.id).where('revoked_at', 'is', null).executeTakeFirst();
    await trx.deleteFrom('staff_login_failures').where('scope_key', '=', scopeKey('email', user.email)).execute();
    const count = Number(ended.numUpdatedRows);
    await appendAudit(trx, clock, { actor: input.actor, action: 'staff.password_reset', targetType: 'staff_user', targetId: user.id, data: { sessionsEnded: count } });
    return count;
  });
  return { user, sessionsEnded };
}

/** Enables a disabled account again (it signs in with its password; old sessions stay ended). No change, no event. */
export async function enableStaffUser(db: Db, clock: Clock, idOrEmail: string, actor: Actor): Promise<{ user: StaffUser; changed: boolean }> {
  const user = await findStaffUser(db, idOrEmail);
  if (!user) throw new MamoriError('MAMORI_STAFF_NOT_FOUND');
  const now = clock.now().toISOString();
  const changed = await db.transaction().execute(async (trx) => {
    const r = await trx.updateTable('staff_users').set({ disabled: 0, updated_at: now }).where('id', '=', user.id).where('disabled', '=', 1).executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) return false;
    await appendAudit(trx, clock, { actor, action: 'staff.enabled', targetType: 'staff_user', targetId: user.id });
    return true;
  });
  return { user: { ...user, disabled: false }, changed };
}

/** Sign-in throttling: at most this many failures per email and per client address in the window. */
export const LOGIN_MAX_FAILURES = 8;
export const LOGIN_WINDOW_MS = 15 * 60_000;

function scopeKey(kind: 'email' | 'ip', value: string): string {
  return createHash('sha256').update(`${kind}:${value}`).digest('hex');
}

// A fixed hash to verify against when the email is unknown, so both paths cost one scrypt (no account enumeration by timing).
let dummyHash: Promise<string> | undefined;

/**
 * Checks an email and password. Unknown email, wrong password and disabled account all fail the same way and take
 * the same time. Throws MAMORI_RATE_LIMITED after too many recent failures for the email or the address.
 */
export async function authenticateStaff(store: Store, clock: Clock, input: { email: string; password: string; ip: string }): Promise<StaffUser> {
  const email = normalizeEmail(input.email);
  const keys = [scopeKey('email', email), scopeKey('ip', input.ip)];
  const since = new Date(clock.now().getTime() - LOGIN_WINDOW_MS).toISOString();
  for (const key of keys) {
    const row = await store.db.selectFrom('staff_login_failures').select((eb) => eb.fn.countAll<string | number>().as('n')).where('scope_key', '=', key).where('at', '>', since).executeTakeFirst();
    if (Number(row?.n ?? 0) >= LOGIN_MAX_FAILURES) {
      throw new MamoriError('MAMORI_RATE_LIMITED', 'Too many failed sign-in attempts. Please wait 15 minutes and try again, or ask an administrator.');
    }
  }
  const row = await store.db.selectFrom('staff_users').select(['id', 'email', 'role', 'disabled', 'created_at', 'last_login_at', 'password_hash']).where('email', '=', email).executeTakeFirst();
  dummyHash ??= hashPassword('mamori-dummy-password-for-timing');
  const ok = await verifyPassword(input.password, row?.password_hash ?? (await dummyHash));
  const now = clock.now().toISOString();
  if (!row || !ok || row.disabled === 1) {
    await store.db.transaction().execute(async (trx) => {
      for (const key of keys) await trx.insertInto('staff_login_failures').values({ id: newId('lgf'), scope_key: key, at: now }).execute();
      await trx.deleteFrom('staff_login_failures').where('at', '<', since).execute();
      await appendAudit(trx, clock, { actor: 'system', action: 'staff.login_failed', targetType: 'staff_user', targetId: row?.id ?? null });
    });
    throw new MamoriError('MAMORI_AUTH_FAILED');
  }
  const rehash = needsRehash(row.password_hash) ? await hashPassword(input.password) : undefined;
  await store.db.transaction().execute(async (trx) => {
    await trx.updateTable('staff_users').set({ last_login_at: now, ...(rehash ? { password_hash: rehash, updated_at: now } : {}) }).where('id', '=', row.id).execute();
    await trx.deleteFrom('staff_login_failures').where('scope_key', '=', keys[0] ?? '').execute();
    await appendAudit(trx, clock, { actor: `staff:${row.id}`, action: 'staff.login', targetType: 'staff_user', targetId: row.id });
  });
  return toUser({ ...row, last_login_at: now });
}
