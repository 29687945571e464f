import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { MamoriError } from '../errors.ts';
import { newId } from '../ids.ts';
import { appendAudit, type Actor } from '../audit/audit-log.ts';
import type { Db } from '../store/store.ts';
import { isStaffRole, type StaffRole } from './staff-permissions.ts';
import './staff-errors.ts';

export interface ApiKeyInfo {
  id: string;
  name: string;
  prefix: string;
  role: StaffRole;
  createdAt: string;
  createdBy: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const KEY_PATTERN = /^(mk_[0-9a-f]{8})_([A-Za-z0-9_-]{43})$/;
const LAST_USED_EVERY_MS = 60_000;

function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

type KeyRow = { id: string; name: string; prefix: string; role: string; created_at: string; created_by: string; last_used_at: string | null; revoked_at: string | null };

function toInfo(row: KeyRow): ApiKeyInfo {
  if (!isStaffRole(row.role)) throw new MamoriError('MAMORI_INTERNAL', 'An API key has an unknown role.');
  return { id: row.id, name: row.name, prefix: row.prefix, role: row.role, createdAt: row.created_at, createdBy: row.created_by, lastUsedAt: row.last_used_at, revokedAt: row.revoked_at };
}

/**
 * Creates an API key. The full key is returned once and never stored: only its SHA-256 (the key has 256 random bits,
 * so a slow hash adds nothing) and a short prefix to recognize it in lists.
 * @example const { key } = await createApiKey(store.db, clock, { name: 'helpdesk', role: 'staff', actor: 'cli' }); // 'mk_1a2b3c4d_…'
 */
export async function createApiKey(db: Db, clock: Clock, input: { name: string; role: StaffRole; actor: Actor }): Promise<{ key: string; info: ApiKeyInfo }> {
  const name = input.name.trim();
  if (name.length === 0 || name.length > 100) throw new MamoriError('MAMORI_STAFF_INVALID', 'The key name must be 1 to 100 characters.', { field: 'name' });
  if (!isStaffRole(input.role)) throw new MamoriError('MAMORI_STAFF_INVALID', 'The role must be admin, officer, staff or auditor.', { field: 'role' });
  const prefix = `mk_${randomBytes(4).toString('hex')}`;
  const key = `${prefix}_${randomBytes(32).toString('base64url')}`;
  const id = newId('key');
  const now = clock.now().toISOString();
  const row: KeyRow = { id, name, prefix, role: input.role, created_at: now, created_by: input.actor, last_used_at: null, revoked_at: null };
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('api_keys').values({ ...row, key_hash: sha256(key).toString('hex') }).execute();
    await appendAudit(trx, clock, { actor: input.actor, action: 'apikey.created', targetType: 'api_key', targetId: id, data: { role: input.role, prefix } });
  });
  return { key, info: toInfo(row) };
}

export async function listApiKeys(db: Db): Promise<ApiKeyInfo[]> {
  const rows = await db.selectFrom('api_keys').select(['id', 'name', 'prefix', 'role', 'created_at', 'created_by', 'last_used_at', 'revoked_at']).orderBy('created_at').orderBy('id').execute();
  return rows.map(toInfo);
}

/** Revokes a key by id or prefix; using it afterwards fails with MAMORI_API_KEY_INVALID. */
export async function revokeApiKey(db: Db, clock: Clock, idOrPrefix: string, actor: Actor): Promise<ApiKeyInfo> {
  const row = await db
    .selectFrom('api_keys')
    .select(['id', 'name', 'prefix', 'role', 'created_at', 'created_by', 'last_used_at', 'revoked_at'])
    .where((eb) => eb.or([eb('id', '=', idOrPrefix), eb('prefix', '=', idOrPrefix)]))
    .executeTakeFirst();
  if (!row) throw new MamoriError('MAMORI_API_KEY_NOT_FOUND');
  const now = clock.now().toISOString();
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('api_keys').set({ revoked_at: now }).where('id', '=', row.id).where('revoked_at', 'is', null).execute();
    await appendAudit(trx, clock, { actor, action: 'apikey.revoked', targetType: 'api_key', targetId: row.id });
  });
  return toInfo({ ...row, revoked_at: row.revoked_at ?? now });
}

/** The live key for a presented secret, or undefined (malformed, unknown, wrong secret or revoked). Records last use. */
export async function resolveApiKey(db: Db, clock: Clock, presented: string): Promise<ApiKeyInfo | undefined> {
  const match = KEY_PATTERN.exec(presented);
  if (!match) return undefined;
  const row = await db
    .selectFrom('api_keys')
    .select(['id', 'name', 'prefix', 'role', 'created_at', 'created_by', 'last_used_at', 'revoked_at', 'key_hash'])
    .where('prefix', '=', match[1] ?? '')
    .executeTakeFirst();
  if (!row || row.revoked_at) return undefined;
  const expected = Buffer.from(row.key_hash, 'hex');
  if (!timingSafeEqual(expected, sha256(presented))) return undefined;
  const now = clock.now();
  if (!row.last_used_at || now.getTime() - new Date(row.last_used_at).getTime() >= LAST_USED_EVERY_MS) {
    await db.updateTable('api_keys').set({ last_used_at: now.toISOString() }).where('id', '=', row.id).execute();
    row.last_used_at = now.toISOString();
  }
  return toInfo(row);
}
