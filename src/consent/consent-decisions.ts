import { andThen, type CurrentChoice, type MaybePromise, type PreferenceReader, type PreferenceRow } from './preference-reader.ts';
import type { Decision, DecisionBasis } from './consent-api-schemas.ts';
import type { ConsentConfig, ConsentPurpose } from './consent-config.ts';
import { MamoriError } from '../errors.ts';
import './consent-errors.ts';

/** The decision for one purpose from the person's current preference (or none): the rule, as a pure function. */
export function decideFromPreference(purpose: ConsentPurpose, pref: CurrentChoice | undefined, currentVersion: string): Decision {
  let allowed: boolean;
  let basis: DecisionBasis;
  switch (purpose.choice) {
    case 'none':
      return { allowed: true, basis: 'not_required', policyVersion: currentVersion };
    case 'consent':
      allowed = pref?.allowed === 1;
      basis = pref ? (allowed ? 'consent' : 'refused') : 'no_consent';
      break;
    case 'opt_out':
      allowed = pref ? pref.allowed === 1 : true;
      basis = pref ? (allowed ? 'consent' : 'refused') : 'opt_out_default';
      break;
    default: {
      const never: never = purpose.choice;
      throw new Error(`unhandled choice ${String(never)}`);
    }
  }
  return { allowed, basis, policyVersion: pref?.policy_version ?? currentVersion };
}

function purposeOf(config: ConsentConfig, id: string): ConsentPurpose {
  const p = config.byId.get(id);
  if (!p) throw new MamoriError('MAMORI_CONSENT_UNKNOWN_PURPOSE', `The policy has no purpose "${id}".`, { purpose: id });
  return p;
}

/** Adds, for a purpose served by tools, whether each may run: the purpose allows and its own switch is not off. */
function withTools(d: Decision, purpose: ConsentPurpose, rows: ReadonlyMap<string, Pick<PreferenceRow, 'allowed'>>): Decision {
  if (purpose.tools.length === 0) return d;
  return { ...d, tools: Object.fromEntries(purpose.tools.map((t) => [t.id, d.allowed && rows.get(`${purpose.id}/${t.id}`)?.allowed !== 0])) };
}

/**
 * Decides one purpose for a subject: one primary-key lookup (a range on the key for a purpose with tools). Synchronous when the reader is (SQLite), so the decisions
 * route can answer without a promise; `await` works on either.
 */
export function decide(reader: PreferenceReader, config: ConsentConfig, subject: string, purposeId: string): MaybePromise<Decision> {
  const purpose = purposeOf(config, purposeId);
  if (purpose.choice === 'none') return withTools(decideFromPreference(purpose, undefined, config.version), purpose, new Map());
  if (purpose.tools.length > 0) return andThen(reader.all(subject), (rows) => decideFromRows(config, [purpose], rows).decisions[purpose.id]!);
  return andThen(reader.one(subject, purposeId), (pref) => decideFromPreference(purpose, pref, config.version));
}

/**
 * The decision `decide` gives for one purpose, from the subject's rows as `PreferenceReader.all` returns them (for a
 * caller that already holds the rows, such as a cache of answers).
 */
export function decideFromSubjectRows(config: ConsentConfig, purposeId: string, rows: readonly PreferenceRow[]): Decision {
  const purpose = purposeOf(config, purposeId);
  if (purpose.choice === 'none') return withTools(decideFromPreference(purpose, undefined, config.version), purpose, new Map());
  const d = decideFromPreference(purpose, rows.find((r) => r.purpose === purposeId), config.version);
  if (purpose.tools.length === 0) return d;
  // As withTools, without the map of rows and the ETag of decideFromRows (every cache miss of a page view comes here).
  const tools: Record<string, boolean> = {};
  for (const t of purpose.tools) {
    const id = `${purpose.id}/${t.id}`;
    tools[t.id] = d.allowed && rows.find((r) => r.purpose === id)?.allowed !== 0;
  }
  return { ...d, tools };
}

/**
 * Decides many purposes (all of the policy's when `purposeIds` is omitted) with one range read on the primary key.
 * `etag` changes whenever the subject records a new choice or the policy's consent version changes.
 */
export function decideMany(reader: PreferenceReader, config: ConsentConfig, subject: string, purposeIds?: readonly string[]): MaybePromise<{ decisions: Record<string, Decision>; etag: string }> {
  const purposes = purposeIds ? purposeIds.map((id) => purposeOf(config, id)) : config.purposes;
  return andThen(reader.all(subject), (rows) => decideFromRows(config, purposes, rows));
}

function decideFromRows(config: ConsentConfig, purposes: readonly ConsentPurpose[], rows: readonly PreferenceRow[]): { decisions: Record<string, Decision>; etag: string } {
  const byPurpose = new Map(rows.map((r) => [r.purpose, r]));
  let latest = '';
  for (const r of rows) {
    const key = `${r.updated_at}/${r.receipt_id}`;
    if (key > latest) latest = key;
  }
  const decisions: Record<string, Decision> = {};
  for (const p of purposes) decisions[p.id] = withTools(decideFromPreference(p, byPurpose.get(p.id), config.version), p, byPurpose);
  return { decisions, etag: `"${config.version}.${latest ? (latest.split('/')[1] ?? '0') : '0'}"` };
}
