import { sql } from 'kysely';
import { z } from 'zod';
import type { Clock } from '../clock.ts';
import { MamoriError, registerErrorCodes } from '../errors.ts';
import type { DbOrTrx } from '../store/store.ts';
import { inTransaction } from '../records/in-transaction.ts';
import { emailRateKey, rateBucket } from './rate-limit.ts';

/**
 * What anonymous people may make mamori store before anyone has checked them. A filing from the privacy center (or
 * the requester API) arrives before the email is confirmed, so its proofs are bounded three ways: per filing (read
 * with a running total and refused as soon as it is passed, so a hostile body is never read to its end), per client
 * address and per email address (bytes over a sliding day). Staff uploads are not limited here.
 */
export interface UploadQuotas {
  /** All files of one filing or one upload together. */
  perFilingBytes: number;
  perIpBytes: number;
  perEmailBytes: number;
  windowMs: number;
}

const MB = 1024 * 1024;
export const defaultUploadQuotas: UploadQuotas = { perFilingBytes: 20 * MB, perIpBytes: 60 * MB, perEmailBytes: 40 * MB, windowMs: 24 * 60 * 60 * 1000 };

export const uploadQuotaErrors = registerErrorCodes({
  MAMORI_REQUEST_UPLOAD_TOTAL_TOO_LARGE: { status: 413, message: 'The files together are larger than 20 MB. Please send fewer or smaller scans.' },
  MAMORI_REQUEST_UPLOAD_QUOTA: { status: 429, message: 'Too many documents were uploaded from here or for this email address today. Please try again tomorrow or send the documents by post.' },
});

const envSchema = z.strictObject({
  perFilingBytes: z.number().min(1).optional(),
  perIpBytes: z.number().min(1).optional(),
  perEmailBytes: z.number().min(1).optional(),
  windowMs: z.number().int().min(60_000).optional(),
});

/** MAMORI_UPLOAD_QUOTAS (JSON, e.g. `{"perIpBytes":104857600}`) over the defaults; a bad value stops the start. */
export function uploadQuotasFromEnv(env: NodeJS.ProcessEnv): UploadQuotas {
  const raw = env.MAMORI_UPLOAD_QUOTAS;
  if (!raw) return defaultUploadQuotas;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new MamoriError('MAMORI_CONFIG_INVALID', 'MAMORI_UPLOAD_QUOTAS must be JSON, e.g. {"perIpBytes":104857600}');
  }
  const parsed = envSchema.safeParse(json);
  if (!parsed.success) throw new MamoriError('MAMORI_CONFIG_INVALID', `MAMORI_UPLOAD_QUOTAS: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return { ...defaultUploadQuotas, ...Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined)) };
}

/** A running total for one body: call `add(n)` per chunk; throws MAMORI_REQUEST_UPLOAD_TOTAL_TOO_LARGE past the cap. */
export function filingByteBudget(quotas: UploadQuotas): { add(bytes: number): void; readonly total: number } {
  let total = 0;
  return {
    add(bytes) {
      total += bytes;
      if (total > quotas.perFilingBytes) {
        throw new MamoriError('MAMORI_REQUEST_UPLOAD_TOTAL_TOO_LARGE', `The files together are larger than ${Math.floor(quotas.perFilingBytes / MB)} MB. Please send fewer or smaller scans.`);
      }
    },
    get total() {
      return total;
    },
  };
}

async function usedBytes(db: DbOrTrx, bucket: string, cutoff: string): Promise<number> {
  const row = await db.selectFrom('request_rate_limits').select(['count', 'window_start']).where('bucket', '=', bucket).executeTakeFirst();
  return row && row.window_start > cutoff ? Number(row.count) : 0;
}

/**
 * Adds `bytes` to one bucket in a single statement that also checks the cap: the upsert's update applies only while
 * the window's total stays within `limit` (a window that has ended starts again at `bytes`). Returns false, changing
 * nothing, when the bucket has no room. The check and the charge cannot be split by another filing: on PostgreSQL
 * the conflicting row is locked and its condition re-read; SQLite runs one writer at a time.
 */
async function chargeWithin(db: DbOrTrx, bucket: string, bytes: number, limit: number, nowIso: string, cutoff: string): Promise<boolean> {
  if (bytes > limit) return false;
  const result = await db
    .insertInto('request_rate_limits')
    .values({ bucket, window_start: nowIso, count: bytes })
    .onConflict((oc) =>
      oc
        .column('bucket')
        .doUpdateSet({
          count: sql<number>`case when request_rate_limits.window_start <= ${cutoff} then ${bytes} else request_rate_limits.count + ${bytes} end`,
          window_start: sql<string>`case when request_rate_limits.window_start <= ${cutoff} then ${nowIso} else request_rate_limits.window_start end`,
        })
        .where(sql<boolean>`request_rate_limits.window_start <= ${cutoff} or request_rate_limits.count + ${bytes} <= ${limit}`),
    )
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/**
 * Refuses early when the client address has no byte allowance left (before its body is read), so a flood of large
 * filings from one address costs one small query each.
 */
export async function assertIpUploadAllowance(db: DbOrTrx, clock: Clock, secret: Buffer, quotas: UploadQuotas, ip: string): Promise<void> {
  const cutoff = new Date(clock.now().getTime() - quotas.windowMs).toISOString();
  if ((await usedBytes(db, rateBucket(secret, 'upload-ip', ip), cutoff)) >= quotas.perIpBytes) throw new MamoriError('MAMORI_REQUEST_UPLOAD_QUOTA');
}

/**
 * Charges `bytes` of anonymous uploads to the client address and (when known) the email address; throws
 * MAMORI_REQUEST_UPLOAD_QUOTA (nothing charged) when either allowance would be passed. Atomic: parallel filings
 * together never pass a quota. Buckets are HMACs: the table holds neither the address nor the email.
 */
export async function chargeUploadBytes(db: DbOrTrx, clock: Clock, secret: Buffer, quotas: UploadQuotas, who: { ip: string; email?: string | undefined }, bytes: number): Promise<void> {
  if (bytes <= 0) return;
  const now = clock.now();
  const nowIso = now.toISOString();
  const cutoff = new Date(now.getTime() - quotas.windowMs).toISOString();
  const buckets: Array<[string, number]> = [[rateBucket(secret, 'upload-ip', who.ip), quotas.perIpBytes]];
  if (who.email) buckets.push([rateBucket(secret, 'upload-email', emailRateKey(who.email)), quotas.perEmailBytes]);
  // One transaction: a filing refused by its email's quota gives back what it charged to the address. Buckets are
  // always taken in the same order (address, then email), so two filings never wait on each other in a cycle.
  await inTransaction(db, async (trx) => {
    for (const [bucket, limit] of buckets) {
      if (!(await chargeWithin(trx, bucket, bytes, limit, nowIso, cutoff))) throw new MamoriError('MAMORI_REQUEST_UPLOAD_QUOTA');
    }
  });
}
