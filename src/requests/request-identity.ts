import type { Actor } from '../audit/audit-log.ts';
import { MamoriError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { DbOrTrx } from '../store/store.ts';
import './request-errors.ts';
import type { RequestContext } from './request-context.ts';
import { confirmClaimBody, identifierKind } from './request-inputs.ts';
import { rowState, type Row } from './request-rows.ts';
import { requestStateInfo } from './request-state.ts';
import type { RequestService } from './request-service-api.ts';

/**
 * Claim confirmation inside the caller's transaction, shared by "confirm claim" and "confirm identity with claims".
 * Idempotent: a value already confirmed is not recorded twice.
 */
export function createClaimConfirmation(ctx: RequestContext) {
  const { clock, identityOf, record } = ctx;
  return async function confirmClaimsIn(trx: DbOrTrx, row: Row, by: Actor, claims: ReadonlyArray<{ kind: string; value?: string | undefined }>, reason: string): Promise<number> {
    const text = reason.trim();
    if (!text) throw new MamoriError('MAMORI_REQUEST_REASON_REQUIRED', 'Say what you checked before confirming a claimed identifier (e.g. which document matched the account).');
    const picture = await identityOf(trx, row);
    let added = 0;
    for (const c of claims) {
      const kind = identifierKind.safeParse(c.kind);
      if (!kind.success) throw new MamoriError('MAMORI_VALIDATION_FAILED', `"${c.kind}" is not an identifier kind (e.g. email, account_id).`);
      const claimed = picture.claims.find((x) => x.kind === kind.data && (c.value === undefined || x.value === c.value.trim()));
      const value = c.value?.trim() ?? claimed?.value;
      if (!value) throw new MamoriError('MAMORI_REQUEST_CLAIM_UNKNOWN', `This request claims no ${kind.data}; give the value you checked in the documents.`, { kind: kind.data });
      if (claimed?.confirmation) continue;
      const exists = await trx.selectFrom('request_identity_confirmations').select('id').where('request_id', '=', row.id).where('kind', '=', kind.data).where('value', '=', value).executeTakeFirst();
      if (exists) continue;
      await trx.insertInto('request_identity_confirmations').values({ id: newId('rcnf'), request_id: row.id, kind: kind.data, value, confirmed_by: by, confirmed_at: clock.now().toISOString(), reason: text.slice(0, 1000) }).execute();
      // The audit chain gets the kind and how the claim compared, never the value or the free-text reason.
      await record(trx, row.id, by, 'claim_confirmed', { kind: kind.data, check: claimed?.check ?? 'unchecked', typed_by_staff: claimed === undefined }, { reason: text.slice(0, 1000) });
      added += 1;
    }
    return added;
  };
}

/** Identity binding: which identifiers may reach the person's data. */
export function createIdentityStage(ctx: RequestContext): Pick<RequestService, 'confirmClaim' | 'resolveIdentity'> {
  const { store, transaction, loadFor, resolveIdentities, identityOf, load } = ctx;
  const confirmClaimsIn = createClaimConfirmation(ctx);
  return {
    async confirmClaim(by, id, input) {
      const parsed = confirmClaimBody.safeParse(input);
      if (!parsed.success) throw new MamoriError('MAMORI_VALIDATION_FAILED', parsed.error.issues.map((i) => `${i.path.join('.') || 'claim'}: ${i.message}`).join('; '));
      const c = parsed.data;
      const added = await transaction(async (trx) => {
        const r = await loadFor(trx, id, 'confirm_claim');
        return confirmClaimsIn(trx, r, by, [{ kind: c.kind, value: c.value }], c.reason);
      });
      if (added > 0) await resolveIdentities(id, 'system');
    },

    async resolveIdentity(by, id) {
      const before = await load(store.db, id, false);
      if (!requestStateInfo[rowState(before)].open) throw new MamoriError('MAMORI_REQUEST_STATE_CONFLICT', 'This request is finished; its identifiers are no longer checked against the systems.');
      await resolveIdentities(id, by);
      const row = await load(store.db, id, false);
      return identityOf(store.db, row);
    },
  };
}
