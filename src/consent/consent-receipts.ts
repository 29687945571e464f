import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { appendAuditEvents, canonicalJson, type Actor } from '../audit/audit-log.ts';
import type { Clock } from '../clock.ts';
import { MamoriError } from '../errors.ts';
import { newId } from '../ids.ts';
import { dialectOf, type DbOrTrx, type Store } from '../store/store.ts';
import { preparedStatement } from '../store/prepared-statement.ts';
import type { ChangeFeed } from '../store/change-feed.ts';
import { consentMethods, type ConsentMethod, type Receipt, type SubjectConsents } from './consent-api-schemas.ts';
import type { ConsentConfig } from './consent-config.ts';
import './consent-errors.ts';
import { checkReceiptVersion } from './consent-versions.ts';
import { subjectId, subjectKindOf } from './consent-subject.ts';

export interface RecordConsentInput {
  subject: string;
  choices: Record<string, boolean>;
  /** Each tool's own switch, per purpose (the banner's per-service toggles). */
  tools?: Record<string, Record<string, boolean>> | undefined;
  policyVersion: string;
  method: ConsentMethod;
  /** `browser` for consent.js, `subject:<id>` for the settings page, `apikey:<id>` for the API. */
  recordedBy: 'browser' | Actor;
  origin?: string | null;
}

export interface ConsentDeps {
  store: Store;
  clock: Clock;
  /** Signs receipts (the server secret). */
  secret: Buffer;
  config: ConsentConfig;
  /** Announces the subject's new choice to every instance's preference cache (in the receipt's transaction). */
  changes?: ChangeFeed;
}

/**
 * Throws a stable 4xx for a purpose the policy does not have, or one that offers no choice, and for a tool choice
 * naming a tool that does not serve its purpose.
 */
export function checkChoices(config: ConsentConfig, choices: Record<string, boolean>, tools: Record<string, Record<string, boolean>> = {}): void {
  for (const id of [...Object.keys(choices), ...Object.keys(tools)]) {
    const purpose = config.byId.get(id);
    if (!purpose) throw new MamoriError('MAMORI_CONSENT_UNKNOWN_PURPOSE', `The policy has no purpose "${id}".`, { purpose: id });
    if (purpose.choice === 'none') throw new MamoriError('MAMORI_CONSENT_PURPOSE_NOT_CHOOSABLE', `The purpose "${id}" is needed for the service and offers no choice.`, { purpose: id });
    for (const tool of Object.keys(tools[id] ?? {})) {
      if (!purpose.tools.some((t) => t.id === tool)) throw new MamoriError('MAMORI_CONSENT_UNKNOWN_PURPOSE', `The purpose "${id}" has no tool "${tool}".`, { purpose: id, tool });
    }
  }
}

/** The tool choices worth keeping: purposes with at least one tool, or nothing (so the receipt carries no `tools`). */
function keptTools(tools: Record<string, Record<string, boolean>> | undefined): Record<string, Record<string, boolean>> | undefined {
  const kept = Object.entries(tools ?? {}).filter(([, t]) => Object.keys(t).length > 0);
  return kept.length > 0 ? Object.fromEntries(kept) : undefined;
}

function proofOf(secret: Buffer, r: Omit<Receipt, 'proof'>): string {
  return createHmac('sha256', secret).update(canonicalJson(r)).digest('base64url');
}

/** Whether a receipt's proof matches its content (it was issued by this mamori and not changed since). */
export function verifyReceiptProof(secret: Buffer, r: Receipt): boolean {
  const { proof, ...rest } = r;
  return proofOf(secret, rest) === proof;
}

/** A receipt's tool switches as preference keys: `[["analytics/ga", true], …]`. */
function toolKeys(r: Receipt): Array<[string, boolean]> {
  return Object.entries(r.tools ?? {}).flatMap(([purpose, t]) => Object.entries(t).map(([tool, allowed]) => [`${purpose}/${tool}`, allowed] as [string, boolean]));
}

/** A receipt checked and signed, ready to be written with others in one transaction. */
export interface PreparedReceipt {
  receipt: Receipt;
  recordedBy: 'browser' | Actor;
  origin: string | null;
}

/**
 * Checks a choice (subject, purposes) and signs its receipt; throws the stable 4xx a caller should see. The version the
 * receipt names is checked separately (`checkReceiptVersion`), since it may need the database.
 */
export function prepareReceipt(deps: Pick<ConsentDeps, 'clock' | 'secret' | 'config'>, input: RecordConsentInput): PreparedReceipt {
  if (!subjectId.safeParse(input.subject).success) throw new MamoriError('MAMORI_CONSENT_INVALID_SUBJECT');
  checkChoices(deps.config, input.choices, input.tools);
  const tools = keptTools(input.tools);
  // `tools` is left out, not null, when there are none: a receipt's proof covers exactly the fields it has.
  const body: Omit<Receipt, 'proof'> = {
    id: newId('rcp'),
    subject: input.subject,
    subjectKind: subjectKindOf(input.subject),
    choices: input.choices,
    ...(tools ? { tools } : {}),
    policyVersion: input.policyVersion,
    method: input.method,
    recordedAt: deps.clock.now().toISOString(),
  };
  return { receipt: { ...body, proof: proofOf(deps.secret, body) }, recordedBy: input.recordedBy, origin: input.origin ?? null };
}

/**
 * Writes prepared receipts in one transaction: the receipts (append-only), the current preferences they set (the
 * last receipt in the list wins for a subject and purpose), the change announcement for its subjects, and one audit event
 * per receipt recorded by an identified actor, all appended under a single hold of the audit chain's lock.
 */
export async function writeReceipts(db: DbOrTrx, clock: Clock, items: readonly PreparedReceipt[], changes?: ChangeFeed): Promise<void> {
  if (items.length === 0) return;
  const receiptRows = items.map(({ receipt: r, recordedBy, origin }) => ({
    id: r.id,
    subject: r.subject,
    subject_kind: r.subjectKind,
    choices: JSON.stringify(r.choices),
    tools: r.tools ? JSON.stringify(r.tools) : null,
    policy_version: r.policyVersion,
    method: r.method,
    recorded_at: r.recordedAt,
    recorded_by: recordedBy,
    origin,
    proof: r.proof,
  }));
  const prefs = new Map<string, { subject: string; purpose: string; allowed: number; policy_version: string; method: ConsentMethod; receipt_id: string; updated_at: string }>();
  for (const { receipt: r } of items) {
    // A tool's own switch is a preference row keyed `<purpose>/<tool>` (purpose ids never hold a slash), read with
    // its purpose's rows in the same range on the key.
    for (const [purpose, allowed] of [...Object.entries(r.choices), ...toolKeys(r).map(([key, on]) => [key, on] as const)]) {
      const key = JSON.stringify([r.subject, purpose]);
      prefs.delete(key); // keeps the map in the order of the last choices
      prefs.set(key, { subject: r.subject, purpose, allowed: allowed ? 1 : 0, policy_version: r.policyVersion, method: r.method, receipt_id: r.id, updated_at: r.recordedAt });
    }
  }
  if (dialectOf(db) === 'postgres') {
    // The receipts and the preferences they set in one statement (one round trip, a fixed text prepared once).
    await writeReceiptsAndPreferences.run(db, [JSON.stringify(receiptRows), JSON.stringify([...prefs.values()])]);
  } else {
    await db.insertInto('consent_receipts').values(receiptRows).execute();
    if (prefs.size > 0) {
      await db
        .insertInto('consent_preferences')
        .values([...prefs.values()])
        .onConflict((oc) => oc.columns(['subject', 'purpose']).doUpdateSet((eb) => ({
          allowed: eb.ref('excluded.allowed'),
          policy_version: eb.ref('excluded.policy_version'),
          method: eb.ref('excluded.method'),
          receipt_id: eb.ref('excluded.receipt_id'),
          updated_at: eb.ref('excluded.updated_at'),
        })))
        .execute();
    }
  }
  // Every subject of the batch announced at once (PostgreSQL: one statement, its NOTIFYs delivered on commit).
  await changes?.publishMany(db, 'preferences', items.map((i) => i.receipt.subject));
  // Browser banner clicks are recorded by the receipt itself; choices made by an app or a signed-in person are
  // also state changes by an identified actor, so they go into the audit chain (one event per receipt, as always).
  const audited = items.flatMap(({ receipt: r, recordedBy }) => (recordedBy === 'browser' ? [] : [{ actor: recordedBy, action: 'consent.recorded', targetType: 'consent_receipt', targetId: r.id, data: { method: r.method, purposes: Object.keys(r.choices), ...(r.tools ? { tools: toolKeys(r).map(([key]) => key) } : {}) } }]));
  await appendAuditEvents(db, clock, audited);
}

const receiptColumns = 'id, subject, subject_kind, choices, tools, policy_version, method, recorded_at, recorded_by, origin, proof';
const preferenceColumns = 'subject, purpose, allowed, policy_version, method, receipt_id, updated_at';
/** PostgreSQL: a batch's receipts (first parameter, JSON rows) and the preferences they set (second), in one statement. */
const writeReceiptsAndPreferences = preparedStatement(`with receipts as (
    insert into consent_receipts (${receiptColumns}) select ${receiptColumns} from json_populate_recordset(null::consent_receipts, ?::json))
  insert into consent_preferences (${preferenceColumns}) select ${preferenceColumns} from json_populate_recordset(null::consent_preferences, ?::json)
  on conflict (subject, purpose) do update set allowed = excluded.allowed, policy_version = excluded.policy_version,
    method = excluded.method, receipt_id = excluded.receipt_id, updated_at = excluded.updated_at`);

/**
 * Records a consent receipt (append-only) and updates the current preferences in the same transaction, so a
 * decision is always one indexed row. A withdrawal is simply a receipt with `false`. (The API records through a
 * `ReceiptWriter`, which commits concurrent receipts together.)
 * @example await recordConsent(deps, { subject: 'u_1', choices: { error_reports: false }, policyVersion: deps.config.version, method: 'settings', recordedBy: 'subject:u_1' });
 */
export async function recordConsent(deps: ConsentDeps, input: RecordConsentInput): Promise<Receipt> {
  const prepared = prepareReceipt(deps, input);
  await deps.store.db.transaction().execute(async (trx) => {
    await checkReceiptVersion(trx, deps.clock, deps.config, prepared.receipt.policyVersion, prepared.receipt.method);
    await writeReceipts(trx, deps.clock, [prepared], deps.changes);
  });
  deps.changes?.changedHere('preferences', prepared.receipt.subject);
  return prepared.receipt;
}

const storedChoices = z.record(z.string(), z.boolean());
const storedTools = z.record(z.string(), z.record(z.string(), z.boolean()));
const storedMethod = z.enum(consentMethods);

/** A stored receipt row as the API shows it (and as its proof was computed). */
export function toReceipt(row: { id: string; subject: string; subject_kind: string; choices: string; tools: string | null; policy_version: string; method: string; recorded_at: string; proof: string }): Receipt {
  return {
    id: row.id,
    subject: row.subject,
    subjectKind: row.subject_kind === 'browser' ? 'browser' : 'user',
    choices: storedChoices.parse(JSON.parse(row.choices)),
    ...(row.tools === null ? {} : { tools: storedTools.parse(JSON.parse(row.tools)) }),
    policyVersion: row.policy_version,
    method: storedMethod.parse(row.method),
    recordedAt: row.recorded_at,
    proof: row.proof,
  };
}

/** Every receipt of a subject, oldest first, and their current preferences (for export and disclosure). */
export async function subjectConsents(db: DbOrTrx, subject: string): Promise<SubjectConsents> {
  const [receipts, prefs] = await Promise.all([
    db.selectFrom('consent_receipts').selectAll().where('subject', '=', subject).orderBy('recorded_at').orderBy('id').execute(),
    db.selectFrom('consent_preferences').selectAll().where('subject', '=', subject).orderBy('purpose').execute(),
  ]);
  return {
    subject,
    preferences: Object.fromEntries(prefs.map((p) => [p.purpose, { allowed: p.allowed === 1, policyVersion: p.policy_version, method: storedMethod.parse(p.method), receiptId: p.receipt_id, updatedAt: p.updated_at }])),
    receipts: receipts.map(toReceipt),
  };
}

/**
 * `mamori secret rotate`: the receipt's proof under the new secret, or null when its stored proof does not verify under
 * the old one (a changed receipt keeps its failing proof instead of being vouched for afresh).
 */
export function reissueReceiptProof(oldSecret: Buffer, newSecret: Buffer, row: { id: string; subject: string; subject_kind: string; choices: string; tools: string | null; policy_version: string; method: string; recorded_at: string; proof: string }): string | null {
  let receipt: Receipt;
  try {
    receipt = toReceipt(row);
  } catch {
    return null;
  }
  if (!verifyReceiptProof(oldSecret, receipt)) return null;
  const { proof: _old, ...body } = receipt;
  return proofOf(newSecret, body);
}
