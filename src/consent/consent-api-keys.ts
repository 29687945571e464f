import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../clock.ts';
import { newId, newSecretToken } from '../ids.ts';
import type { DbOrTrx } from '../store/store.ts';
import { appendAudit, type Actor } from '../audit/audit-log.ts';
import type { ChangeFeed } from '../store/change-feed.ts';

/** Keys start with this prefix so a leaked key is recognisable (secret scanners, logs review). */
export const CONSENT_KEY_PREFIX = 'mamori_ck_';

const hashKey = (key: string): string => createHash('sha256').update(key).digest('hex');

/**
 * Creates a consent API key for the operator's servers (decisions, receipts, exports). Returns the key once; only
 * its SHA-256 is stored.
 * @example const { key } = await createConsentApiKey(store.db, clock, { label: 'misskey web', actor: 'cli' });
 */
export async function createConsentApiKey(db: DbOrTrx, clock: Clock, opts: { label: string; actor: Actor }): Promise<{ id: string; key: string }> {
  const id = newId('ck');
  const key = `${CONSENT_KEY_PREFIX}${newSecretToken()}`;
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('consent_api_keys').values({ id, label: opts.label, key_hash: hashKey(key), created_at: clock.now().toISOString(), revoked_at: null }).execute();
    await appendAudit(trx, clock, { actor: opts.actor, action: 'consent.api_key_created', targetType: 'consent_api_key', targetId: id });
  });
  return { id, key };
}

/** Revokes a key; with `changes`, every instance forgets the key at once instead of within its few seconds' cache. */
export async function revokeConsentApiKey(db: DbOrTrx, clock: Clock, id: string, actor: Actor, changes?: ChangeFeed): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('consent_api_keys').set({ revoked_at: clock.now().toISOString() }).where('id', '=', id).execute();
    await appendAudit(trx, clock, { actor, action: 'consent.api_key_revoked', targetType: 'consent_api_key', targetId: id });
    await changes?.publish(trx, 'consent_keys', id);
  });
  changes?.changedHere('consent_keys', id);
}

export interface ConsentKeyVerifier {
  /** The key's id, or null. Valid keys are remembered for a few seconds so the decisions hot path skips the lookup. */
  verify(key: string): Promise<string | null>;
  /** The remembered answer for a key, if still fresh (no await on the hot path); undefined when unknown. */
  cached(key: string): string | null | undefined;
}

/**
 * Keys given in the environment: `MAMORI_CONSENT_API_KEYS=mamori_ck_…,mamori_ck_…` (each at least 32 characters
 * after the prefix; make one with `openssl rand -base64 32`). For operators who provision secrets by environment
 * rather than through the database. Their id is `env-` and the first 8 hex characters of the key's SHA-256.
 */
export const envConsentKeys = z
  .string()
  .optional()
  .transform((v) => (v ?? '').split(',').map((k) => k.trim()).filter(Boolean))
  .pipe(z.array(z.string().regex(new RegExp(`^${CONSENT_KEY_PREFIX}[A-Za-z0-9+/=_-]{32,180}$`), `each key in MAMORI_CONSENT_API_KEYS must be ${CONSENT_KEY_PREFIX} followed by at least 32 characters`)));

/**
 * Verifies consent keys and remembers the answer for `cacheMs` (5 s). A key in use is verified again in the background
 * during the last fifth of that time (at most 1 s), so the decisions hot path never stalls at expiry; every answer still
 * comes from a verification at most `cacheMs` old. Lookups of one key share one statement. A revocation heard on the
 * change feed (or a feed gap) forgets everything, and a lookup that was out when it arrived is not remembered.
 */
export function createConsentKeyVerifier(db: DbOrTrx, clock: Clock, opts: { envKeys?: readonly string[]; cacheMs?: number; changes?: ChangeFeed } = {}): ConsentKeyVerifier {
  const cacheMs = opts.cacheMs ?? 5000;
  const refreshMs = Math.min(1000, cacheMs / 5);
  const cache = new Map<string, { id: string | null; until: number }>();
  const lookups = new Map<string, Promise<string | null>>();
  let epoch = 0;
  // A key revoked on any instance (or a feed gap) empties the cache here too.
  opts.changes?.subscribe((change) => {
    if (change.kind === 'flush' || change.topic === 'consent_keys') {
      epoch += 1;
      cache.clear();
      lookups.clear(); // later callers read again rather than join a lookup that started before the change
    }
  });
  const fromEnv = new Map((opts.envKeys ?? []).map((k) => [hashKey(k), `env-${hashKey(k).slice(0, 8)}`]));

  function lookup(key: string): Promise<string | null> {
    const out = lookups.get(key);
    if (out) return out;
    const since = epoch;
    const started = (async () => {
      // Keyed by the key itself (memory only, like any secret the process holds), so a hit costs no hashing.
      const h = hashKey(key);
      let id = fromEnv.get(h) ?? null;
      if (!id) {
        const row = await db.selectFrom('consent_api_keys').select(['id', 'revoked_at']).where('key_hash', '=', h).executeTakeFirst();
        id = row && !row.revoked_at ? row.id : null;
      }
      if (since === epoch) {
        if (cache.size > 1000) cache.clear();
        cache.set(key, { id, until: clock.now().getTime() + cacheMs });
      }
      return id;
    })();
    lookups.set(key, started);
    const done = () => {
      if (lookups.get(key) === started) lookups.delete(key);
    };
    started.then(done, done);
    return started;
  }

  return {
    cached(key) {
      const hit = cache.get(key);
      if (hit === undefined) return undefined;
      const left = hit.until - clock.now().getTime();
      if (left <= 0) return undefined;
      if (left < refreshMs && hit.id !== null && !lookups.has(key)) lookup(key).catch(() => undefined); // an error surfaces at expiry, on the route
      return hit.id;
    },
    async verify(key) {
      if (!key.startsWith(CONSENT_KEY_PREFIX) || key.length > 200) return null;
      const hit = cache.get(key);
      if (hit && hit.until > clock.now().getTime()) return hit.id;
      return lookup(key);
    },
  };
}
