import { timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import { appendAudit, registerAuditKey } from '../audit/audit-log.ts';
import { assertStoreSecret } from '../audit/audit-secret-check.ts';
import type { Clock } from '../clock.ts';
import { MamoriError } from '../errors.ts';
import { newId } from '../ids.ts';
import { dialectOf, type DbOrTrx, type Store } from '../store/store.ts';
import { rotateAuditHead, rotationRunners, type RotationKeys } from './secret-rotation-items.ts';
import {
  checkMatches,
  emptyProgress,
  latestRotation,
  rotationItems,
  runningRotation,
  saveProgress,
  secretCheck,
  type ItemProgress,
  type RotationItem,
  type RotationProgress,
  type RotationRow,
} from './secret-rotation-state.ts';

export type { RotationKeys } from './secret-rotation-items.ts';

export interface RotateSecretOptions {
  store: Store;
  clock: Clock;
  keys: RotationKeys;
  /** Rows per transaction (default 200). */
  batchSize?: number;
  /** Called after each batch has committed: progress output, and where a test stops the process to simulate a crash. */
  onBatch?: (item: RotationItem, progress: ItemProgress) => void | Promise<void>;
}

export interface RotationResult {
  id: string;
  /** `started`: a new rotation ran to the end; `resumed`: an unfinished one was finished; `already`: this pair was rotated before. */
  outcome: 'started' | 'resumed' | 'already';
  progress: RotationProgress;
  /** Whether the signed audit head verified under the old secret and was re-signed (false: it was absent or forged). */
  headResigned: boolean;
}

/**
 * Moves a store from one MAMORI_SECRET to another: re-encrypts uploaded documents, gathered data, disclosure packages
 * and connector payloads and results; re-signs consent receipts, the audit chain's rows and head; re-derives the
 * request links. Resumable: each batch commits with its cursor, so running it again with the same two secrets after a
 * crash carries on where it stopped. While it is unfinished, neither the server nor the CLI opens the store. Audited:
 * `secret.rotation_started` (signed under the old secret) and `secret.rotated` with the counts (under the new one).
 * Every mamori process using the store must be stopped first.
 * @example await rotateSecret({ store, clock: systemClock, keys: { old: current, new: next } });
 */
export async function rotateSecret(opts: RotateSecretOptions): Promise<RotationResult> {
  const { store, clock, keys } = opts;
  await assertNoServersConnected(store);
  const running = await runningRotation(store.db);
  let rotation: RotationRow;
  let outcome: RotationResult['outcome'];
  // An unfinished rotation is checked first, so an operator who already switched MAMORI_SECRET hears which one is wrong.
  if (!running && keys.old.length === keys.new.length && timingSafeEqual(keys.old, keys.new)) throw new MamoriError('MAMORI_SECRET_ROTATION_SAME');
  if (running) {
    assertSameSecrets(running, keys);
    rotation = running;
    outcome = 'resumed';
  } else {
    const latest = await latestRotation(store.db);
    if (latest && checkMatches(keys.old, latest.id, latest.oldCheck) && checkMatches(keys.new, latest.id, latest.newCheck)) {
      return { id: latest.id, outcome: 'already', progress: latest.progress, headResigned: false };
    }
    await assertStoreSecret(store.db, keys.old);
    rotation = await startRotation(store, clock, keys);
    outcome = 'started';
  }
  const progress = rotation.progress;
  const batchSize = opts.batchSize ?? 200;
  for (const item of rotationItems) {
    while (!progress[item].done) {
      await store.db.transaction().execute(async (trx) => {
        await lockRotation(trx, rotation.id);
        const batch = await rotationRunners[item](trx, progress[item].cursor, batchSize, keys);
        const before = progress[item];
        progress[item] = { cursor: batch.last ?? before.cursor, rotated: before.rotated + batch.rotated, left: before.left + batch.left, done: batch.seen < batchSize };
        await saveProgress(trx, rotation.id, progress);
      });
      await opts.onBatch?.(item, progress[item]);
    }
  }
  const headResigned = await finishRotation(store, clock, rotation.id, keys, progress);
  return { id: rotation.id, outcome, progress, headResigned };
}

/**
 * A server still running would seal files and sign rows under the old secret behind the rotation's cursor. On
 * PostgreSQL every `mamori serve` holds one change-feed connection (application_name `mamori-change-feed`), which
 * tells they are there; a SQLite store is one process's file, and its operator stops that process.
 */
async function assertNoServersConnected(store: Store): Promise<void> {
  if (store.dialect !== 'postgres') return;
  const { rows } = await sql<{ n: string | number }>`select count(*) as n from pg_stat_activity where datname = current_database() and application_name = 'mamori-change-feed' and pid <> pg_backend_pid()`.execute(store.db);
  const n = Number(rows[0]?.n ?? 0);
  if (n > 0) {
    throw new MamoriError('MAMORI_SECRET_ROTATION_SERVERS_RUNNING', `${n} mamori server(s) are still connected to this database: stop every \`mamori serve\` using it, then run \`mamori secret rotate\` again. A server left running would seal files and sign audit rows under the old secret while the store moves to the new one.`);
  }
}

function assertSameSecrets(running: RotationRow, keys: RotationKeys): void {
  const oldOk = checkMatches(keys.old, running.id, running.oldCheck);
  const newOk = checkMatches(keys.new, running.id, running.newCheck);
  if (oldOk && newOk) return;
  const which = !oldOk && !newOk ? 'neither the old nor the new secret is' : !oldOk ? 'the old secret (MAMORI_SECRET or secret.key) is not' : 'the new secret is not';
  throw new MamoriError(
    'MAMORI_SECRET_ROTATION_MISMATCH',
    `A secret rotation started at ${running.startedAt} is unfinished, but ${which} the one it was started with. Run it again with the same old and new secrets (with --generate, the new one is in the data directory's secret.key.new).`,
  );
}

/** Serializes rotators: on PostgreSQL a row lock (SQLite transactions are serial already); also re-checks the state. */
async function lockRotation(trx: DbOrTrx, id: string): Promise<void> {
  const query = trx.selectFrom('secret_rotations').select('state').where('id', '=', id);
  const row = await (dialectOf(trx) === 'postgres' ? query.forUpdate() : query).executeTakeFirst();
  if (row?.state !== 'running') throw new MamoriError('MAMORI_SECRET_ROTATION_MISMATCH', 'The secret rotation was finished by another process meanwhile.');
}

async function startRotation(store: Store, clock: Clock, keys: RotationKeys): Promise<RotationRow> {
  const id = newId('rot');
  const startedAt = clock.now().toISOString();
  const progress = emptyProgress();
  registerAuditKey(store.db, keys.old);
  await store.db.transaction().execute(async (trx) => {
    // Two rotators starting at once on PostgreSQL: the second waits here, then sees the first one's row.
    if (dialectOf(trx) === 'postgres') await sql`select pg_advisory_xact_lock(4242003)`.execute(trx);
    if (await runningRotation(trx)) throw new MamoriError('MAMORI_SECRET_ROTATION_UNFINISHED');
    await trx.insertInto('secret_rotations').values({ id, state: 'running', old_check: secretCheck(keys.old, id), new_check: secretCheck(keys.new, id), progress_json: JSON.stringify(progress), started_at: startedAt, finished_at: null }).execute();
    await appendAudit(trx, clock, { actor: 'cli', action: 'secret.rotation_started', targetType: 'secret_rotation', targetId: id, data: { items: [...rotationItems] } });
  });
  return { id, state: 'running', oldCheck: secretCheck(keys.old, id), newCheck: secretCheck(keys.new, id), progress, startedAt, finishedAt: null };
}

/** Re-signs the head, appends `secret.rotated` under the new key and marks the rotation finished, in one transaction. */
async function finishRotation(store: Store, clock: Clock, id: string, keys: RotationKeys, progress: RotationProgress): Promise<boolean> {
  registerAuditKey(store.db, keys.new);
  return store.db.transaction().execute(async (trx) => {
    await lockRotation(trx, id);
    const headResigned = await rotateAuditHead(trx, keys);
    const counts = Object.fromEntries(rotationItems.map((i) => [i, { rotated: progress[i].rotated, left: progress[i].left }]));
    await appendAudit(trx, clock, { actor: 'cli', action: 'secret.rotated', targetType: 'secret_rotation', targetId: id, data: { counts, headResigned } });
    await trx.updateTable('secret_rotations').set({ state: 'finished', finished_at: clock.now().toISOString() }).where('id', '=', id).execute();
    return headResigned;
  });
}
