import { z } from 'zod';
import type { Clock } from '../clock.ts';
import { MamoriError } from '../errors.ts';
import type { DbOrTrx } from '../store/store.ts';
import type { ConsentConfig } from './consent-config.ts';
import './consent-errors.ts';

/** A consent version as served: the banner's purposes (texts, tools, signals) and when it was first served. */
export const consentVersion = z.object({
  version: z.string(),
  firstServedAt: z.string(),
  /** The published policy revision in force when the version was first served (null before any `mamori publish`). */
  policyNumber: z.number().int().nullable(),
  /** The purposes exactly as the banner and settings page showed them; empty for versions known only from receipts. */
  purposes: z.array(z.record(z.string(), z.unknown())),
});
export type ConsentVersion = z.infer<typeof consentVersion>;

const storedPurposes = z.array(z.record(z.string(), z.unknown()));

/**
 * Records the config's version in the ledger the first time it is served or used (later calls change nothing, except
 * filling in the content of a version known only from receipts made before the ledger), so every receipt's version
 * can be resolved to what the person was shown.
 */
export async function recordConsentVersion(db: DbOrTrx, clock: Clock, config: ConsentConfig): Promise<void> {
  const latest = await db.selectFrom('policy_versions').select('number').orderBy('number', 'desc').limit(1).executeTakeFirst();
  await db
    .insertInto('consent_versions')
    .values({ version: config.version, purposes: JSON.stringify(config.purposes), policy_number: latest?.number ?? null, first_served_at: clock.now().toISOString() })
    // A version first known from old receipts (backfilled without content) gets its content when served again.
    .onConflict((oc) => oc.column('version').doUpdateSet({ purposes: JSON.stringify(config.purposes) }).where('consent_versions.purposes', '=', '[]'))
    .execute();
}

/**
 * Checks the version a receipt claims the person was shown. The current version is recorded if needed; any other must
 * be one mamori served before. Only an import (API key) may carry a version from elsewhere, such as a previous tool's.
 */
export async function checkReceiptVersion(db: DbOrTrx, clock: Clock, config: ConsentConfig, version: string, method: string): Promise<void> {
  if (version === config.version) return recordConsentVersion(db, clock, config);
  if (method === 'import') return;
  const row = await db.selectFrom('consent_versions').select('version').where('version', '=', version).executeTakeFirst();
  if (!row) throw new MamoriError('MAMORI_CONSENT_UNKNOWN_VERSION', undefined, { policyVersion: version });
}

function toVersion(row: { version: string; purposes: string; policy_number: number | null; first_served_at: string }): ConsentVersion {
  return { version: row.version, firstServedAt: row.first_served_at, policyNumber: row.policy_number, purposes: storedPurposes.parse(JSON.parse(row.purposes)) };
}

export async function findConsentVersion(db: DbOrTrx, version: string): Promise<ConsentVersion | undefined> {
  const row = await db.selectFrom('consent_versions').selectAll().where('version', '=', version).executeTakeFirst();
  return row ? toVersion(row) : undefined;
}

export async function getConsentVersion(db: DbOrTrx, version: string): Promise<ConsentVersion> {
  const found = await findConsentVersion(db, version);
  if (!found) throw new MamoriError('MAMORI_CONSENT_VERSION_NOT_FOUND');
  return found;
}

/** Every version served, newest first. */
export async function listConsentVersions(db: DbOrTrx): Promise<ConsentVersion[]> {
  const rows = await db.selectFrom('consent_versions').selectAll().orderBy('first_served_at', 'desc').orderBy('version').execute();
  return rows.map(toVersion);
}
