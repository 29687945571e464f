import { z } from 'zod';
import type { RequestTable as Row } from './request-tables.ts';

/*
 * Identifiers are verified or they are claims (APPI 37条: the operator confirms who the requester is before acting).
 * - An email code verifies the email that received it; a signed assertion from the operator's app verifies its email
 *   and its `sub` (the account id). When an agent files, the verified email is the agent's own, never the person's.
 * - Everything the requester (or staff entering a letter) typed is a claim: an account id, an email not confirmed by a
 *   code. A claim becomes an identifier only when staff confirm it with a written reason after checking documents.
 * - Identifiers the operator's own systems link to a verified one (the account id stored beside the verified email)
 *   are "resolved": derived from verified data, never from what was typed.
 * Only verified, staff-confirmed and resolved identifiers ever reach the operator's data (connectors, consent
 * receipts, provision records, opt-out stops).
 */

/** How an identifier came to be trusted. */
export type IdentifierSource = 'email_code' | 'app_assertion' | 'staff_confirmed' | 'resolved';

export interface TrustedIdentifier {
  kind: string;
  value: string;
  source: IdentifierSource;
}

/** What the systems found for the verified identifiers, as stored on the request. */
export const identityResolution = z.object({
  at: z.string(),
  /** Identity kind → the distinct values found (e.g. { account_id: ['9xq3'] }). */
  found: z.record(z.string(), z.array(z.string())),
  /** Systems that could not be asked (connection down): the result may be incomplete. */
  unavailable: z.array(z.string()).default([]),
});
export type IdentityResolution = z.infer<typeof identityResolution>;

/** How a claim compares with what the verified identifiers resolve to. */
export type ClaimCheck =
  /** The systems link the verified identifiers to this very value. */
  | 'matches'
  /** The systems link the verified identifiers to another value: the claim names someone else, or a typo. */
  | 'mismatch'
  /** Nothing of this kind was found for the verified identifiers. */
  | 'not_found'
  /** Not compared yet (no connector, or resolution not run). */
  | 'unchecked';

export interface IdentityClaim {
  kind: string;
  value: string;
  /** Who typed it. */
  from: 'requester' | 'staff_entry';
  check: ClaimCheck;
  /** Values the verified identifiers resolved to for this kind (shown beside the claim). */
  resolved: string[];
  confirmation: { by: string; at: string; reason: string } | null;
}

export interface StoredConfirmation {
  kind: string;
  value: string;
  confirmed_by: string;
  confirmed_at: string;
  reason: string;
}

export interface IdentityPicture {
  /** Identifiers that may reach the person's data, with how each was established. */
  trusted: TrustedIdentifier[];
  claims: IdentityClaim[];
  resolution: IdentityResolution | null;
  /** The verified email belongs to the agent, not to the person (37条 agent request). */
  agentEmail: boolean;
}

export function parseResolution(text: string | null): IdentityResolution | null {
  if (!text) return null;
  const parsed = identityResolution.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : null;
}

/** Identifiers verified by the requester's own proof (code or assertion), before staff or systems add any. */
export function verifiedIdentifiers(row: Row): TrustedIdentifier[] {
  if (row.agent_kind !== null) return [];
  const out: TrustedIdentifier[] = [];
  if (row.email && (row.verified_via === 'email_code' || row.verified_via === 'app_assertion')) out.push({ kind: 'email', value: row.email, source: row.verified_via });
  if (row.subject_id && row.verified_via === 'app_assertion') out.push({ kind: 'account_id', value: row.subject_id, source: 'app_assertion' });
  return out;
}

function sameValue(kind: string, a: string, b: string): boolean {
  return kind === 'email' ? a.trim().toLowerCase() === b.trim().toLowerCase() : a.trim() === b.trim();
}

function claimCheck(kind: string, value: string, resolution: IdentityResolution | null): { check: ClaimCheck; resolved: string[] } {
  if (!resolution) return { check: 'unchecked', resolved: [] };
  const found = resolution.found[kind] ?? [];
  if (found.length === 0) return { check: 'not_found', resolved: [] };
  return { check: found.some((f) => sameValue(kind, f, value)) ? 'matches' : 'mismatch', resolved: found };
}

/**
 * The whole picture of who a request is about: trusted identifiers (verified, confirmed by staff, resolved through
 * the systems) and the claims beside what they resolved to. Pure: the row, the staff confirmations and the stored
 * resolution are all it reads.
 */
export function identityPicture(row: Row, confirmations: readonly StoredConfirmation[]): IdentityPicture {
  const resolution = parseResolution(row.resolution_json);
  const trusted = verifiedIdentifiers(row);
  const add = (t: TrustedIdentifier) => {
    if (!trusted.some((x) => x.kind === t.kind && sameValue(t.kind, x.value, t.value))) trusted.push(t);
  };
  for (const c of confirmations) add({ kind: c.kind, value: c.value, source: 'staff_confirmed' });
  // A resolved value is trusted only when it is the single one of its kind: two accounts behind one address are for
  // staff to sort out, not for a connector to act on both.
  if (resolution) {
    for (const [kind, values] of Object.entries(resolution.found)) {
      const only = values.length === 1 ? values[0] : undefined;
      if (only !== undefined && !trusted.some((t) => t.kind === kind)) add({ kind, value: only, source: 'resolved' });
    }
  }

  const claims: IdentityClaim[] = [];
  const from: IdentityClaim['from'] = row.channel === 'privacy_center' ? 'requester' : 'staff_entry';
  const claim = (kind: string, value: string) => {
    const confirmation = confirmations.find((c) => c.kind === kind && sameValue(kind, c.value, value));
    claims.push({ kind, value, from, ...claimCheck(kind, value, resolution), confirmation: confirmation ? { by: confirmation.confirmed_by, at: confirmation.confirmed_at, reason: confirmation.reason } : null });
  };
  const verifiedAccount = trusted.find((t) => t.kind === 'account_id' && t.source === 'app_assertion');
  if (row.account_id && !(verifiedAccount && sameValue('account_id', verifiedAccount.value, row.account_id))) claim('account_id', row.account_id);
  // The email of a staff-entered request (typed from a letter or a call) is a claim; an agent's email is the agent's.
  if (row.email && row.agent_kind === null && !trusted.some((t) => t.kind === 'email' && t.source !== 'resolved')) claim('email', row.email);
  for (const c of confirmations) {
    if (!claims.some((x) => x.kind === c.kind && sameValue(c.kind, x.value, c.value))) claims.push({ kind: c.kind, value: c.value, from: 'staff_entry', ...claimCheck(c.kind, c.value, resolution), confirmation: { by: c.confirmed_by, at: c.confirmed_at, reason: c.reason } });
  }
  return { trusted, claims, resolution, agentEmail: row.agent_kind !== null && row.email !== null };
}

/** What other domains receive: one value per kind, verified or confirmed or resolved, never merely typed. */
export function hookIdentities(picture: IdentityPicture): { identities: Record<string, string>; subjectId: string | null } {
  const identities: Record<string, string> = {};
  for (const t of picture.trusted) if (identities[t.kind] === undefined) identities[t.kind] = t.value;
  return { identities, subjectId: identities.account_id ?? null };
}

/** The identifiers the systems are asked to resolve from: verified and staff-confirmed only (never resolved ones). */
export function resolutionSeeds(picture: IdentityPicture): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of picture.trusted) if (t.source !== 'resolved' && out[t.kind] === undefined) out[t.kind] = t.value;
  return out;
}
