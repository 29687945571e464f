import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Clock } from '../clock.ts';
import { MamoriError } from '../errors.ts';
import { newId } from '../ids.ts';
import { appendAudit, canonicalJson, type Actor } from '../audit/audit-log.ts';
import { dialectOf, type DbOrTrx, type Store } from '../store/store.ts';
import type { PolicyVersionTable } from '../store/core-tables.ts';
import { isoDate, policySchema, type Policy, type PolicyPurpose } from './schema.ts';
import './policy-errors.ts';

/**
 * Published policy versions: immutable, numbered 1, 2, 3 …, each with the normalized policy so that old versions
 * render without the old file. Publishing writes the version and its `policy.published` audit event in one
 * transaction.
 */

/** The officer's answer when purposes changed: reasonably related (17条2項), or consent will be collected first. */
export const purposeChangeChoices = ['related', 'consent'] as const;
export type PurposeChangeChoice = (typeof purposeChangeChoices)[number];

export interface PolicyVersionSummary {
  id: string;
  number: number;
  effectiveOn: string;
  publishedAt: string;
  publishedBy: string;
  contentHash: string;
  note: string | null;
  purposeChange: PurposeChangeChoice | null;
}

export interface PolicyVersion extends PolicyVersionSummary {
  policy: Policy;
  sourceYaml: string;
}

export interface PublishInput {
  policy: Policy;
  sourceYaml: string;
  /** YYYY-MM-DD. */
  effectiveOn: string;
  note?: string;
  purposeChange?: PurposeChangeChoice;
  actor: Actor;
}

/** SHA-256 of the normalized policy: two files that parse to the same policy have the same hash. */
export function policyContentHash(policy: Policy): string {
  return createHash('sha256').update(canonicalJson(policy)).digest('hex');
}

function purposeShape(p: PolicyPurpose): string {
  return canonicalJson({ kind: p.kind, description: p.description, subject_groups: [...p.subject_groups].sort(), data: [...p.data].sort(), choice: p.choice });
}

/**
 * Purposes that are new or different in `next` (removed purposes narrow the use and need no confirmation).
 * @example changedPurposes(v1.policy, next) // ['analytics']
 */
export function changedPurposes(previous: Policy, next: Policy): string[] {
  const before = new Map(previous.purposes.map((p) => [p.id, purposeShape(p)]));
  return next.purposes.filter((p) => before.get(p.id) !== purposeShape(p)).map((p) => p.id);
}

const purposeChangeColumn = z.enum(purposeChangeChoices).nullable();

function toSummary(row: PolicyVersionTable): PolicyVersionSummary {
  const pc = purposeChangeColumn.safeParse(row.purpose_change ?? null);
  return {
    id: row.id,
    number: Number(row.number),
    effectiveOn: row.effective_on,
    publishedAt: row.published_at,
    publishedBy: row.published_by,
    contentHash: row.content_hash,
    note: row.note,
    purposeChange: pc.success ? pc.data : null,
  };
}

function toVersion(row: PolicyVersionTable): PolicyVersion {
  let json: unknown;
  try {
    json = JSON.parse(row.policy_json);
  } catch {
    throw new Error(`policy version ${row.id}: stored policy is not JSON`);
  }
  const parsed = policySchema.safeParse(json);
  if (!parsed.success) throw new Error(`policy version ${row.id}: stored policy no longer matches the schema`);
  return { ...toSummary(row), policy: parsed.data, sourceYaml: row.source_yaml };
}

/**
 * Stores a new immutable version. Refuses content identical to the latest version, an effective date before the
 * latest's, and changed purposes unless `purposeChange` records the officer's answer.
 * @example await publishVersion(store, clock, { policy, sourceYaml, effectiveOn: '2025-04-01', actor: 'cli' })
 */
export async function publishVersion(store: Pick<Store, 'db'>, clock: Clock, input: PublishInput): Promise<PolicyVersion> {
  if (!isoDate.safeParse(input.effectiveOn).success) {
    throw new MamoriError('MAMORI_POLICY_EFFECTIVE_DATE_INVALID', `The effective date "${input.effectiveOn}" is not a real date written YYYY-MM-DD.`);
  }
  const contentHash = policyContentHash(input.policy);
  return store.db.transaction().execute(async (trx) => {
    if (dialectOf(trx) === 'postgres') await sql`select pg_advisory_xact_lock(4242010)`.execute(trx);
    const latestRow = await trx.selectFrom('policy_versions').selectAll().orderBy('number', 'desc').limit(1).executeTakeFirst();
    const latest = latestRow ? toVersion(latestRow) : undefined;
    let changed: string[] = [];
    if (latest) {
      if (latest.contentHash === contentHash) {
        throw new MamoriError('MAMORI_POLICY_VERSION_EXISTS', `The policy is identical to version ${latest.number}; nothing to publish.`, { number: latest.number });
      }
      if (input.effectiveOn < latest.effectiveOn) {
        throw new MamoriError('MAMORI_POLICY_EFFECTIVE_DATE_INVALID', `The effective date ${input.effectiveOn} is before version ${latest.number}'s (${latest.effectiveOn}).`);
      }
      changed = changedPurposes(latest.policy, input.policy);
      if (changed.length > 0 && !input.purposeChange) {
        throw new MamoriError('MAMORI_POLICY_PURPOSE_CHANGE_UNCONFIRMED', `Purposes changed since version ${latest.number}: ${changed.join(', ')}. Confirm they are reasonably related to the old purposes (--purpose-change related, 17条2項) or that consent will be collected (--purpose-change consent).`, { purposes: changed });
      }
    }
    const row: PolicyVersionTable = {
      id: newId('pv'),
      number: (latest?.number ?? 0) + 1,
      effective_on: input.effectiveOn,
      published_at: clock.now().toISOString(),
      published_by: input.actor,
      content_hash: contentHash,
      policy_json: JSON.stringify(input.policy),
      source_yaml: input.sourceYaml,
      note: input.note ?? null,
      purpose_change: changed.length > 0 ? (input.purposeChange ?? null) : null,
    };
    await trx.insertInto('policy_versions').values(row).execute();
    await appendAudit(trx, clock, {
      actor: input.actor,
      action: 'policy.published',
      targetType: 'policy_version',
      targetId: row.id,
      data: { number: row.number, effectiveOn: row.effective_on, contentHash, changedPurposes: changed, purposeChange: row.purpose_change, previous: latest?.number ?? null },
    });
    return toVersion(row);
  });
}

/** Every version, newest first (without the policy bodies). */
export async function listVersions(db: DbOrTrx): Promise<PolicyVersionSummary[]> {
  const rows = await db.selectFrom('policy_versions').selectAll().orderBy('number', 'desc').execute();
  return rows.map(toSummary);
}

/** A version by id (`pv_…`) or by number ("3"); undefined when there is none. */
export async function getVersion(db: DbOrTrx, idOrNumber: string | number): Promise<PolicyVersion | undefined> {
  const key = String(idOrNumber);
  const row = /^\d{1,9}$/.test(key)
    ? await db.selectFrom('policy_versions').selectAll().where('number', '=', Number(key)).executeTakeFirst()
    : await db.selectFrom('policy_versions').selectAll().where('id', '=', key).executeTakeFirst();
  return row ? toVersion(row) : undefined;
}

/** Like getVersion, but a missing version is MAMORI_POLICY_VERSION_NOT_FOUND. */
export async function requireVersion(db: DbOrTrx, idOrNumber: string | number): Promise<PolicyVersion> {
  const v = await getVersion(db, idOrNumber);
  if (!v) throw new MamoriError('MAMORI_POLICY_VERSION_NOT_FOUND', `No policy version "${String(idOrNumber)}".`);
  return v;
}

/** The newest version (by number), if any was published. */
export async function latestVersion(db: DbOrTrx): Promise<PolicyVersion | undefined> {
  const row = await db.selectFrom('policy_versions').selectAll().orderBy('number', 'desc').limit(1).executeTakeFirst();
  return row ? toVersion(row) : undefined;
}

/**
 * The version in force on a calendar day (YYYY-MM-DD): the newest whose effective date has come. `upcoming` is the
 * next version already published with a later effective date, if any.
 */
export async function versionInForce(db: DbOrTrx, today: string): Promise<{ version?: PolicyVersion; upcoming?: PolicyVersionSummary; versions: PolicyVersionSummary[] }> {
  const all = await listVersions(db);
  const inForce = all.find((v) => v.effectiveOn <= today);
  const upcoming = all.filter((v) => v.effectiveOn > today).at(-1);
  const version = inForce ? await getVersion(db, inForce.id) : undefined;
  return { ...(version ? { version } : {}), ...(upcoming ? { upcoming } : {}), versions: inForce ? all.filter((v) => v.number <= inForce.number) : [] };
}
