import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { MamoriError } from './errors.ts';

/** Everything mamori reads from the environment. Parsed once at start-up; bad values stop the start with a fix. */
export interface Config {
  databaseUrl: string;
  dataDir: string;
  /** 32-byte key for AES-256-GCM at rest and for signing links. */
  secret: Buffer;
  smtpUrl: string | undefined;
  mailFrom: string;
  baseUrl: string;
  host: string;
  port: number;
  /** Shared secret for signed assertions from the operator's app (HMAC-SHA256 / JWT HS256). */
  assertionSecret: string | undefined;
  /** Secret for the payment provider's signed webhook. */
  paymentWebhookSecret: string | undefined;
  corsOrigins: string[];
  /** Days a disclosure download link stays valid. */
  downloadDays: number;
  /** Trust X-Forwarded-* from a reverse proxy (MAMORI_TRUST_PROXY=1); off by default so rate limits see real addresses. */
  trustProxy: boolean;
  /** The dataset graph (connectors) beside the policy, if any: MAMORI_GRAPH or `serve --graph`. */
  graphPath: string | undefined;
  /** The connectors reach the made-up demo database (`serve --demo` without a graph); pages say so. */
  demo?: boolean;
  /** A read-only replica for console lists, statistics and exports (DATABASE_READ_URL); unset reads the primary. */
  databaseReadUrl: string | undefined;
  /** Subjects whose preferences each instance keeps in memory on PostgreSQL (MAMORI_PREFERENCE_CACHE_SUBJECTS). */
  preferenceCacheSubjects: number;
  /** Months a consent receipt is kept on PostgreSQL, unless it backs a current choice (unset: kept forever). */
  consentReceiptMonths: number | undefined;
  /** Days a sent staff alert's row is kept once nothing could send it again (MAMORI_STAFF_ALERT_DAYS, default 90). */
  staffAlertDays: number;
}

const envSchema = z.object({
  DATABASE_URL: z.string().min(1).optional(),
  MAMORI_DATA_DIR: z.string().min(1).optional(),
  MAMORI_SECRET: z.string().min(1).optional(),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'SMTP_URL must start with smtp:// or smtps://').optional(),
  MAIL_FROM: z.string().min(3).optional(),
  MAMORI_BASE_URL: z.url().optional(),
  HOST: z.string().min(1).optional(),
  PORT: z.coerce.number().int().min(0).max(65535).optional(),
  MAMORI_ASSERTION_SECRET: z.string().min(16, 'MAMORI_ASSERTION_SECRET must be at least 16 characters').optional(),
  MAMORI_PAYMENT_WEBHOOK_SECRET: z.string().min(16, 'MAMORI_PAYMENT_WEBHOOK_SECRET must be at least 16 characters').optional(),
  MAMORI_CORS_ORIGINS: z.string().optional(),
  MAMORI_DOWNLOAD_DAYS: z.coerce.number().int().min(1).max(90).optional(),
  MAMORI_GRAPH: z.string().min(1).optional(),
  MAMORI_TRUST_PROXY: z.enum(['0', '1', 'true', 'false']).optional(),
  DATABASE_READ_URL: z.string().regex(/^postgres(ql)?:\/\//, 'DATABASE_READ_URL must be a postgres:// URL (a read replica of DATABASE_URL)').optional(),
  MAMORI_PREFERENCE_CACHE_SUBJECTS: z.coerce.number().int().min(0).max(10_000_000).optional(),
  MAMORI_CONSENT_RECEIPT_MONTHS: z.coerce.number().int().min(1).max(1200).optional(),
  MAMORI_STAFF_ALERT_DAYS: z.coerce.number().int().min(8, 'MAMORI_STAFF_ALERT_DAYS must be at least 8 (the new-request and deadline alert windows)').max(36500).optional(),
});

/** Decodes MAMORI_SECRET: 64 hex characters or base64 of 32 bytes. */
export function parseSecret(value: string): Buffer {
  const buf = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  if (buf.length !== 32) {
    throw new MamoriError('MAMORI_CONFIG_INVALID', 'MAMORI_SECRET must be 32 bytes: 64 hex characters or base64 (generate one with `openssl rand -hex 32`).');
  }
  return buf;
}

/**
 * Reads the configuration. Without MAMORI_SECRET a random key is created once in the data directory, so that
 * `npm start` works on a fresh clone; production sets MAMORI_SECRET explicitly.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new MamoriError('MAMORI_CONFIG_INVALID', `Invalid environment:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  const dataDir = resolve(overrides.dataDir ?? e.MAMORI_DATA_DIR ?? 'data');
  const port = overrides.port ?? e.PORT ?? 3000;
  const host = overrides.host ?? e.HOST ?? '127.0.0.1';
  let secret = overrides.secret;
  if (!secret) {
    if (e.MAMORI_SECRET) secret = parseSecret(e.MAMORI_SECRET);
    else {
      mkdirSync(dataDir, { recursive: true });
      const file = join(dataDir, 'secret.key');
      if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('hex') + '\n', { mode: 0o600 });
      secret = parseSecret(readFileSync(file, 'utf8').trim());
    }
  }
  return {
    databaseUrl: overrides.databaseUrl ?? e.DATABASE_URL ?? `sqlite:${join(dataDir, 'mamori.sqlite')}`,
    dataDir,
    secret,
    smtpUrl: overrides.smtpUrl ?? e.SMTP_URL,
    mailFrom: overrides.mailFrom ?? e.MAIL_FROM ?? 'mamori <privacy@localhost>',
    baseUrl: (overrides.baseUrl ?? e.MAMORI_BASE_URL ?? `http://localhost:${port}`).replace(/\/$/, ''),
    host,
    port,
    assertionSecret: overrides.assertionSecret ?? e.MAMORI_ASSERTION_SECRET,
    paymentWebhookSecret: overrides.paymentWebhookSecret ?? e.MAMORI_PAYMENT_WEBHOOK_SECRET,
    corsOrigins: overrides.corsOrigins ?? (e.MAMORI_CORS_ORIGINS ? e.MAMORI_CORS_ORIGINS.split(',').map((s) => s.trim()).filter(Boolean) : []),
    downloadDays: overrides.downloadDays ?? e.MAMORI_DOWNLOAD_DAYS ?? 14,
    graphPath: overrides.graphPath ?? e.MAMORI_GRAPH,
    trustProxy: overrides.trustProxy ?? (e.MAMORI_TRUST_PROXY === '1' || e.MAMORI_TRUST_PROXY === 'true'),
    demo: overrides.demo ?? false,
    databaseReadUrl: overrides.databaseReadUrl ?? e.DATABASE_READ_URL,
    preferenceCacheSubjects: overrides.preferenceCacheSubjects ?? e.MAMORI_PREFERENCE_CACHE_SUBJECTS ?? 100_000,
    consentReceiptMonths: overrides.consentReceiptMonths ?? e.MAMORI_CONSENT_RECEIPT_MONTHS,
    staffAlertDays: overrides.staffAlertDays ?? e.MAMORI_STAFF_ALERT_DAYS ?? 90,
  };
}
