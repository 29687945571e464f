import { auditMac, deriveAuditKey, macMatches } from '../audit/audit-key.ts';
import { reissueReceiptProof } from '../consent/consent-receipts.ts';
import { openSealedJson, sealJson } from '../connectors/sealed-json.ts';
import { openText, sealText, type SealPurpose } from '../delivery/sealed-bytes.ts';
import { requestToken, sha256Hex } from '../requests/request-secrets.ts';
import type { DbOrTrx } from '../store/store.ts';
import type { RotationItem } from './secret-rotation-state.ts';

/** The secret a store is under now and the one it moves to. */
export interface RotationKeys {
  readonly old: Buffer;
  readonly new: Buffer;
}

/** One batch of an item: the key of its last row (null when there was none), and what happened to its rows. */
export interface BatchOutcome {
  last: string | null;
  seen: number;
  rotated: number;
  left: number;
}

type BatchRunner = (db: DbOrTrx, after: string | null, limit: number, keys: RotationKeys) => Promise<BatchOutcome>;

/** Opens under the old secret and seals under the new; null when it does not open (tampered or already unreadable). */
function resealBytes(keys: RotationKeys, purpose: SealPurpose, sealed: string): string | null {
  let plain: Buffer;
  try {
    plain = openText(keys.old, purpose, sealed);
  } catch {
    return null;
  }
  return sealText(keys.new, purpose, plain);
}

function resealJson(keys: RotationKeys, sealed: string): string | null {
  let value: unknown;
  try {
    value = openSealedJson(keys.old, sealed);
  } catch {
    return null;
  }
  return sealJson(keys.new, value);
}

/** Counts a batch of rows, each re-keyed by `rekey`: true when it was, false when it could not be, null when it holds nothing keyed. */
async function countBatch<R>(rows: R[], keyOf: (r: R) => string, rekey: (r: R) => Promise<boolean | null>): Promise<BatchOutcome> {
  let rotated = 0;
  let left = 0;
  for (const row of rows) {
    const outcome = await rekey(row);
    if (outcome === true) rotated += 1;
    else if (outcome === false) left += 1;
  }
  const lastRow = rows.at(-1);
  return { last: lastRow === undefined ? null : keyOf(lastRow), seen: rows.length, rotated, left };
}

const after = (cursor: string | null): string => cursor ?? '';

/**
 * Every stored value keyed by MAMORI_SECRET that outlives a rotation, one runner per item. Left alone on purpose:
 * email codes (10 minutes; a new one is a click away), rate-limit windows (they restart), CSRF tokens and the
 * preferences-page cookie (derived per session; a reload or a new sign-in), and values masked with a keyed hash in
 * the operator's own databases (already irreversible; later erasures hash under the new secret).
 */
export const rotationRunners: Record<RotationItem, BatchRunner> = {
  request_files: async (db, cursor, limit, keys) => {
    const rows = await db.selectFrom('request_files').select(['id', 'sealed']).where('id', '>', after(cursor)).orderBy('id').limit(limit).execute();
    return countBatch(rows, (r) => r.id, async (r) => {
      const sealed = resealBytes(keys, 'request-file', r.sealed);
      if (sealed === null) return false;
      await db.updateTable('request_files').set({ sealed }).where('id', '=', r.id).execute();
      return true;
    });
  },
  request_gathered: async (db, cursor, limit, keys) => {
    const rows = await db.selectFrom('request_gathered').select(['id', 'sealed_groups']).where('id', '>', after(cursor)).orderBy('id').limit(limit).execute();
    return countBatch(rows, (r) => r.id, async (r) => {
      const sealed = resealBytes(keys, 'request-gathered', r.sealed_groups);
      if (sealed === null) return false;
      await db.updateTable('request_gathered').set({ sealed_groups: sealed }).where('id', '=', r.id).execute();
      return true;
    });
  },
  request_packages: async (db, cursor, limit, keys) => {
    const rows = await db.selectFrom('request_packages').select(['id', 'sealed']).where('id', '>', after(cursor)).orderBy('id').limit(limit).execute();
    return countBatch(rows, (r) => r.id, async (r) => {
      const sealed = resealBytes(keys, 'request-package', r.sealed);
      if (sealed === null) return false;
      await db.updateTable('request_packages').set({ sealed }).where('id', '=', r.id).execute();
      return true;
    });
  },
  connector_payloads: async (db, cursor, limit, keys) => {
    const rows = await db.selectFrom('connector_runs').select(['id', 'payload_sealed']).where('id', '>', after(cursor)).orderBy('id').limit(limit).execute();
    return countBatch(rows, (r) => r.id, async (r) => {
      const sealed = resealJson(keys, r.payload_sealed);
      if (sealed === null) return false;
      await db.updateTable('connector_runs').set({ payload_sealed: sealed }).where('id', '=', r.id).execute();
      return true;
    });
  },
  connector_results: async (db, cursor, limit, keys) => {
    const rows = await db.selectFrom('connector_steps').select(['id', 'result_sealed']).where('result_sealed', 'is not', null).where('id', '>', after(cursor)).orderBy('id').limit(limit).execute();
    return countBatch(rows, (r) => r.id, async (r) => {
      const sealed = r.result_sealed === null ? null : resealJson(keys, r.result_sealed);
      if (sealed === null) return false;
      await db.updateTable('connector_steps').set({ result_sealed: sealed }).where('id', '=', r.id).execute();
      return true;
    });
  },
  consent_receipts: async (db, cursor, limit, keys) => {
    const rows = await db.selectFrom('consent_receipts').select(['id', 'subject', 'subject_kind', 'choices', 'tools', 'policy_version', 'method', 'recorded_at', 'proof']).where('id', '>', after(cursor)).orderBy('id').limit(limit).execute();
    return countBatch(rows, (r) => r.id, async (r) => {
      const proof = reissueReceiptProof(keys.old, keys.new, r);
      if (proof === null) return false;
      // recorded_at too: on PostgreSQL it is the partition key, so the update touches one partition.
      await db.updateTable('consent_receipts').set({ proof }).where('id', '=', r.id).where('recorded_at', '=', r.recorded_at).execute();
      return true;
    });
  },
  audit_rows: async (db, cursor, limit, keys) => {
    const oldKey = deriveAuditKey(keys.old);
    const newKey = deriveAuditKey(keys.new);
    const rows = await db.selectFrom('audit_events').select(['seq', 'hash', 'row_mac']).where('row_mac', 'is not', null).where('seq', '>', cursor === null ? 0 : Number(cursor)).orderBy('seq').limit(limit).execute();
    return countBatch(rows, (r) => String(r.seq), async (r) => {
      // A row whose MAC fails under the old key keeps it: re-signing would vouch for a forged row.
      if (r.row_mac === null || !macMatches(oldKey, 'row', null, r.hash, r.row_mac)) return false;
      await db.updateTable('audit_events').set({ row_mac: auditMac(newKey, 'row', null, r.hash) }).where('seq', '=', r.seq).execute();
      return true;
    });
  },
  request_links: async (db, cursor, limit, keys) => {
    const rows = await db.selectFrom('requests').select(['id', 'token_hash']).where('token_hash', 'is not', null).where('id', '>', after(cursor)).orderBy('id').limit(limit).execute();
    return countBatch(rows, (r) => r.id, async (r) => {
      if (r.token_hash !== sha256Hex(requestToken(keys.old, r.id))) return false;
      await db.updateTable('requests').set({ token_hash: sha256Hex(requestToken(keys.new, r.id)) }).where('id', '=', r.id).execute();
      return true;
    });
  },
  // Mail still waiting in the outbox (SMTP down, retries) carries the link of its request: it goes out working.
  outbox_links: async (db, cursor, limit, keys) => {
    const rows = await db.selectFrom('mail_outbox').select(['id', 'ref_id', 'text_body', 'html_body']).where('sent_at', 'is', null).where('ref_type', '=', 'request').where('id', '>', after(cursor)).orderBy('id').limit(limit).execute();
    return countBatch(rows, (r) => r.id, async (r) => {
      if (r.ref_id === null) return null;
      const oldToken = requestToken(keys.old, r.ref_id);
      if (!r.text_body.includes(oldToken) && !r.html_body?.includes(oldToken)) return null;
      const newToken = requestToken(keys.new, r.ref_id);
      await db.updateTable('mail_outbox').set({ text_body: r.text_body.replaceAll(oldToken, newToken), html_body: r.html_body?.replaceAll(oldToken, newToken) ?? null }).where('id', '=', r.id).execute();
      return true;
    });
  },
};

/** Re-signs the audit head under the new key when it verifies under the old one; false when it does not (or is absent). */
export async function rotateAuditHead(db: DbOrTrx, keys: RotationKeys): Promise<boolean> {
  const head = await db.selectFrom('audit_head').select(['seq', 'hash', 'mac']).where('id', '=', 1).executeTakeFirst();
  if (!head || !macMatches(deriveAuditKey(keys.old), 'head', head.seq, head.hash, head.mac)) return false;
  await db.updateTable('audit_head').set({ mac: auditMac(deriveAuditKey(keys.new), 'head', head.seq, head.hash) }).where('id', '=', 1).execute();
  return true;
}
