import { MamoriError, registerErrorCodes } from '../errors.ts';
import type { DbOrTrx } from '../store/store.ts';
import { deriveAuditKey, macMatches } from './audit-key.ts';

export const auditSecretErrors = registerErrorCodes({
  MAMORI_SECRET_MISMATCH: { status: 500, message: 'MAMORI_SECRET is not the secret this store was signed with.' },
});

/**
 * Refuses to run with a MAMORI_SECRET other than the one the store's audit chain was signed with. Started anyway, the
 * server would sign new rows with the new key, replace the signed head, make `audit verify` report every old row as
 * forged, and leave files encrypted under the old key unreadable. The signed head and the newest and oldest signed rows
 * must all fail to verify (a tampered head or newest row alone is reported by `audit verify`, not here).
 * @example await assertStoreSecret(store.db, config.secret); // before registerAuditKey
 */
export async function assertStoreSecret(db: DbOrTrx, secret: Buffer): Promise<void> {
  const key = deriveAuditKey(secret);
  const head = await db.selectFrom('audit_head').select(['seq', 'hash', 'mac']).where('id', '=', 1).executeTakeFirst();
  if (!head) return;
  if (macMatches(key, 'head', head.seq, head.hash, head.mac)) return;
  const signed = db.selectFrom('audit_events').select(['hash', 'row_mac']).where('row_mac', 'is not', null).limit(1);
  for (const row of [await signed.orderBy('seq', 'desc').executeTakeFirst(), await signed.orderBy('seq', 'asc').executeTakeFirst()]) {
    if (row?.row_mac && macMatches(key, 'row', null, row.hash, row.row_mac)) return;
  }
  throw new MamoriError(
    'MAMORI_SECRET_MISMATCH',
    `MAMORI_SECRET does not match the secret this store was signed with (the audit chain's signed head, row ${head.seq}, and its newest and oldest signed rows do not verify under it). Start with the original MAMORI_SECRET (or the data directory's secret.key it was generated into). To change the secret of a used store, start with the original one and run \`mamori secret rotate\`, which re-signs and re-encrypts the store under the new one.`,
  );
}
