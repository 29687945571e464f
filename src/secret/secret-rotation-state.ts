import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { MamoriError, registerErrorCodes } from '../errors.ts';
import type { DbOrTrx } from '../store/store.ts';

export const secretRotationErrors = registerErrorCodes({
  MAMORI_SECRET_ROTATION_UNFINISHED: { status: 503, message: 'A secret rotation is unfinished: run `mamori secret rotate` again to finish it.' },
  MAMORI_SECRET_ROTATION_MISMATCH: { status: 500, message: 'The secrets given do not match the unfinished secret rotation.' },
  MAMORI_SECRET_ROTATION_SAME: { status: 400, message: 'The new secret is the same as the current one.' },
  MAMORI_SECRET_ROTATION_SERVERS_RUNNING: { status: 409, message: 'mamori servers are still connected to this database: stop them before rotating the secret.' },
});

/**
 * What a rotation re-signs or re-encrypts, in the order it does so. Each batch of rows and the item's cursor commit in
 * one transaction, so after a crash every row is under exactly the secret its cursor says.
 */
export const rotationItems = ['request_files', 'request_gathered', 'request_packages', 'connector_payloads', 'connector_results', 'consent_receipts', 'audit_rows', 'request_links', 'outbox_links'] as const;
export type RotationItem = (typeof rotationItems)[number];

const itemProgress = z.object({
  /** The key of the last row done (a text id, or an audit `seq` as text); null before the first batch. */
  cursor: z.string().nullable(),
  /** Rows re-signed or re-encrypted under the new secret. */
  rotated: z.number().int().min(0),
  /** Rows that did not open or verify under the old secret (tampered, or unreadable already): left as they were. */
  left: z.number().int().min(0),
  done: z.boolean(),
});
export type ItemProgress = z.infer<typeof itemProgress>;
export type RotationProgress = Record<RotationItem, ItemProgress>;
const progressSchema = z.object(Object.fromEntries(rotationItems.map((i) => [i, itemProgress])) as Record<RotationItem, typeof itemProgress>);

export function emptyProgress(): RotationProgress {
  const start = (): ItemProgress => ({ cursor: null, rotated: 0, left: 0, done: false });
  return { request_files: start(), request_gathered: start(), request_packages: start(), connector_payloads: start(), connector_results: start(), consent_receipts: start(), audit_rows: start(), request_links: start(), outbox_links: start() };
}

export type RotationState = 'running' | 'finished';

export interface RotationRow {
  id: string;
  state: RotationState;
  oldCheck: string;
  newCheck: string;
  progress: RotationProgress;
  startedAt: string;
  finishedAt: string | null;
}

/**
 * A keyed fingerprint of a secret for one rotation: HMAC-SHA256 under an HKDF sub-key, over the rotation id. It tells
 * whether a resumed run brings the same secrets without storing anything that helps to guess them.
 */
export function secretCheck(secret: Buffer, rotationId: string): string {
  const key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'mamori secret rotation check v1', 32));
  return createHmac('sha256', key).update(`rotation:${rotationId}`).digest('hex');
}

export function checkMatches(secret: Buffer, rotationId: string, stored: string): boolean {
  const expected = Buffer.from(secretCheck(secret, rotationId), 'hex');
  const actual = /^[0-9a-f]{64}$/.test(stored) ? Buffer.from(stored, 'hex') : Buffer.alloc(0);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

function toRow(r: { id: string; state: string; old_check: string; new_check: string; progress_json: string; started_at: string; finished_at: string | null }): RotationRow {
  const state = z.enum(['running', 'finished']).parse(r.state);
  return { id: r.id, state, oldCheck: r.old_check, newCheck: r.new_check, progress: progressSchema.parse(JSON.parse(r.progress_json)), startedAt: r.started_at, finishedAt: r.finished_at };
}

/** The newest rotation (running or finished), if any. */
export async function latestRotation(db: DbOrTrx): Promise<RotationRow | undefined> {
  const row = await db.selectFrom('secret_rotations').selectAll().orderBy('started_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
  return row ? toRow(row) : undefined;
}

/** The unfinished rotation, if any (at most one exists: a new one starts only when none is running). */
export async function runningRotation(db: DbOrTrx): Promise<RotationRow | undefined> {
  const row = await db.selectFrom('secret_rotations').selectAll().where('state', '=', 'running').limit(1).executeTakeFirst();
  return row ? toRow(row) : undefined;
}

export async function saveProgress(db: DbOrTrx, id: string, progress: RotationProgress): Promise<void> {
  await db.updateTable('secret_rotations').set({ progress_json: JSON.stringify(progress) }).where('id', '=', id).execute();
}

/** How far a rotation got, for people: `3 of 8 steps done`. */
export function describeProgress(progress: RotationProgress): string {
  const done = rotationItems.filter((i) => progress[i].done).length;
  return `${done} of ${rotationItems.length} steps done`;
}

/**
 * Refuses to open a store whose secret rotation is unfinished: part of its files and signatures are under the old
 * secret and part under the new, so serving from it (or writing to it) under either would lose data.
 * @example await assertNoRotationUnderway(store.db); // server start-up and every CLI command but `secret rotate`
 */
export async function assertNoRotationUnderway(db: DbOrTrx): Promise<void> {
  const running = await runningRotation(db);
  if (!running) return;
  throw new MamoriError(
    'MAMORI_SECRET_ROTATION_UNFINISHED',
    `A secret rotation started at ${running.startedAt} is unfinished (${describeProgress(running.progress)}): part of the store is under the old secret and part under the new one. Run \`mamori secret rotate\` again with the same old and new secrets to finish it; mamori does not open the store until it has.`,
  );
}
