import type { Actor } from '../audit/audit-log.ts';
import { MamoriError } from '../errors.ts';
import { newId } from '../ids.ts';
import { targetDaysFor } from '../law/appi/deadlines.ts';
import { evaluateFee } from '../law/appi/fees.ts';
import { requestKindRules } from '../law/appi/request-kinds.ts';
import './request-errors.ts';
import { assertActionAllowed } from './request-state.ts';
import { emailRateKey, hitRateLimit, hitRateLimits, rateBucket } from './rate-limit.ts';
import { CODE_MAX_ATTEMPTS, hashEmailCode, sameDigest } from './request-secrets.ts';
import { checkUpload } from './request-uploads.ts';
import { isRequestKind } from './request-inputs.ts';
import { procedureFor, rowState, statusUrlFor, type Row } from './request-rows.ts';
import type { RequestService } from './request-service-api.ts';
import type { RequestContext } from './request-context.ts';
import { checkGrounds } from './request-grounds.ts';
import { createRequestChecks } from './request-checks.ts';
import { insertRow } from '../store/prepared-statement.ts';

/** Filing and email confirmation by the person (or their agent), the requester's own view, withdrawal and documents sent on request. */
export function createFilingStage(ctx: RequestContext): Pick<RequestService, 'fileRequest' | 'resendCode' | 'verifyRequest' | 'getForRequester' | 'checkRequesterToken' | 'withdraw' | 'uploadDocuments'> {
  const { store, clock, config, policy, limits, statusToken, tokenHash, load, loadByToken, record, recordFirst, update, rowAfter, storeFile, startedWork, resolveQuietly, requesterViewOf, transaction, loadFor, moveTo } = ctx;
  const { checkEmail, checkDelivery, checkAgent, checkAssertion, issueCode, afterEmailVerified } = createRequestChecks(ctx);

  return {
    async fileRequest(input, meta) {
      const kind = input.kind;
      if (!isRequestKind(kind)) throw new MamoriError('MAMORI_REQUEST_UNKNOWN_KIND');
      const proc = procedureFor(policy, kind);
      if (!proc || !proc.channels.includes('privacy_center')) {
        throw new MamoriError('MAMORI_REQUEST_KIND_NOT_OFFERED', `This service does not accept "${requestKindRules[kind].name.en}" requests online.${proc ? ' Please use the contact shown in the privacy policy.' : ''}`, { kind });
      }
      const email = checkEmail(input.email);
      const delivery = checkDelivery(kind, proc, input.delivery);
      checkAgent(kind, proc, input.agent, input.agent ? input.agent.proofs : null);
      for (const p of input.agent?.proofs ?? []) checkUpload(p);
      const grounds = checkGrounds(kind, input.grounds);
      const assertion = input.assertion ? checkAssertion(input.assertion) : null;
      if (assertion && assertion.email.toLowerCase() !== email.toLowerCase()) throw new MamoriError('MAMORI_REQUEST_ASSERTION_MISMATCH');

      const fee = evaluateFee(policy, kind);
      const now = clock.now();
      const id = newId('req');
      const token = statusToken(id);
      const actor: Actor = `requester:${id}`;
      const result = await transaction(async (trx) => {
        const row: Row = {
          id, kind, state: 'awaiting_verification', channel: 'privacy_center', lang: input.lang, email, account_id: input.accountId ?? null, subject_id: null,
          description: input.description, delivery, agent_kind: input.agent?.kind ?? null, agent_relationship: input.agent?.relationship ?? null, agent_name: input.agent?.name ?? null,
          verified_via: null, verified_at: null, identity_confirmed_at: null, token_hash: tokenHash(id), target_days: targetDaysFor(policy, kind), due_at: null, paused_since: null, paused_s: 0,
          fee_amount: fee.status === 'charged' ? fee.amount : null, fee_tax: fee.status === 'charged' ? fee.tax : null, fee_paid_at: null, fee_payment_method: null, fee_reference: null,
          decision_json: null, decided_at: null, delivered_at: null, closed_at: null, entered_by: null, created_at: now.toISOString(), updated_at: now.toISOString(), resolution_json: null, payment_code: null, payment_due_at: null, grounds_json: grounds.length > 0 ? JSON.stringify(grounds) : null,
        };
        await insertRow(trx, 'requests', row);
        const fileIds: string[] = [];
        for (const p of input.agent?.proofs ?? []) fileIds.push(await storeFile(trx, id, actor, p, 'agent_proof', p.proofKind));
        await recordFirst(trx, id, actor, 'filed', {
          kind, channel: 'privacy_center', delivery, agent: input.agent?.kind ?? null, files: fileIds, ...(grounds.length > 0 ? { grounds } : {}), fee: fee.status === 'charged' ? fee.amount : null,
          ...(fee.status === 'refused_by_law' ? { fee_refused_by_law: fee.article } : {}),
        });
        let outcome: { row: Row; workStarted: boolean; codeSent: boolean };
        if (assertion) outcome = { ...(await afterEmailVerified(trx, row, 'app_assertion', assertion)), codeSent: false };
        else {
          await issueCode(trx, row, true);
          outcome = { row, workStarted: false, codeSent: true };
        }
        // Counted last in the filing's own transaction: one commit per filing, and on PostgreSQL the counter rows stay
        // locked only for the final statements. A refused filing rolls its own hit back, so the count stays at the
        // limit and later filings are refused until the window ends.
        await hitRateLimits(trx, clock, [
          { bucket: rateBucket(config.secret, 'file-ip', meta.ip), rule: limits.filingsPerIp },
          { bucket: rateBucket(config.secret, 'file-email', email.toLowerCase()), rule: limits.filingsPerEmail },
        ], { lockAuditChain: true });
        return outcome;
      });
      if (assertion) await resolveQuietly(id, 'system');
      if (result.workStarted) await startedWork(result.row);
      return { id, token, state: rowState(result.row), codeSent: result.codeSent, statusUrl: statusUrlFor(config.baseUrl, id, token) };
    },

    async resendCode(id, token) {
      const row0 = await loadByToken(store.db, id, token, false);
      assertActionAllowed(rowState(row0), 'resend_code');
      await hitRateLimit(store.db, clock, rateBucket(config.secret, 'new-code', id), limits.newCodesPerRequest);
      if (row0.email) await hitRateLimit(store.db, clock, rateBucket(config.secret, 'new-code-email', emailRateKey(row0.email)), limits.newCodesPerEmail, 'new_codes_for_email');
      await transaction(async (trx) => {
        const row = await loadFor(trx, id, 'resend_code');
        await issueCode(trx, row, false);
        await record(trx, id, `requester:${id}`, 'code_resent');
      });
    },

    async verifyRequest(id, proof, meta) {
      await hitRateLimit(store.db, clock, rateBucket(config.secret, 'code-ip', meta.ip), limits.codeAttemptsPerIp);
      if ('assertion' in proof) {
        const payload = checkAssertion(proof.assertion);
        const result = await transaction(async (trx) => {
          const row = await load(trx, id, true);
          if (row.email?.toLowerCase() !== payload.email.toLowerCase()) throw new MamoriError('MAMORI_REQUEST_ASSERTION_MISMATCH');
          assertActionAllowed(rowState(row), 'verify_email');
          return afterEmailVerified(trx, row, 'app_assertion', payload);
        });
        await resolveQuietly(id, 'system');
        if (result.workStarted) await startedWork(result.row);
        return requesterViewOf(store.db, result.row);
      }
      if (!/^\d{6}$/.test(proof.code)) throw new MamoriError('MAMORI_REQUEST_CODE_INVALID', 'The code is 6 digits.');
      // Counted per email too, across all of its requests: filing many requests for one address must not multiply
      // the guesses. An unknown id has no email and fails below.
      const target = await store.db.selectFrom('requests').select('email').where('id', '=', id).executeTakeFirst();
      if (target?.email) await hitRateLimit(store.db, clock, rateBucket(config.secret, 'code-email', emailRateKey(target.email)), limits.codeAttemptsPerEmail, 'code_attempts_for_email');
      // A wrong code must count even though the call fails, so the attempt is committed on its own.
      const outcome = await transaction(async (trx) => {
        const row = await load(trx, id, true);
        const state = rowState(row);
        const code = await trx.selectFrom('request_codes').selectAll().where('request_id', '=', id).executeTakeFirst();
        if (state !== 'awaiting_verification' || code?.used_at) return { kind: 'used' as const };
        if (!code) return { kind: 'expired' as const };
        if (code.attempts >= CODE_MAX_ATTEMPTS) return { kind: 'locked' as const };
        if (new Date(code.expires_at).getTime() <= clock.now().getTime()) return { kind: 'expired' as const };
        if (!sameDigest(code.code_hash, hashEmailCode(config.secret, id, proof.code))) {
          await trx.updateTable('request_codes').set({ attempts: code.attempts + 1 }).where('request_id', '=', id).execute();
          await record(trx, id, 'system', 'code_rejected', { attempt: code.attempts + 1 });
          return { kind: 'wrong' as const, left: CODE_MAX_ATTEMPTS - code.attempts - 1 };
        }
        await trx.updateTable('request_codes').set({ used_at: clock.now().toISOString() }).where('request_id', '=', id).execute();
        return { kind: 'ok' as const, ...(await afterEmailVerified(trx, row, 'email_code', null)) };
      });
      switch (outcome.kind) {
        case 'used':
          throw new MamoriError('MAMORI_REQUEST_CODE_USED');
        case 'expired':
          throw new MamoriError('MAMORI_REQUEST_CODE_EXPIRED');
        case 'locked':
          throw new MamoriError('MAMORI_REQUEST_CODE_LOCKED');
        case 'wrong':
          if (outcome.left <= 0) throw new MamoriError('MAMORI_REQUEST_CODE_LOCKED', 'That was the last try for this code. Please ask for a new code.');
          throw new MamoriError('MAMORI_REQUEST_CODE_INVALID', `The code is not correct. ${outcome.left} ${outcome.left === 1 ? 'try' : 'tries'} left.`, { attemptsLeft: outcome.left });
        case 'ok':
          await resolveQuietly(id, 'system');
          if (outcome.workStarted) await startedWork(outcome.row);
          return requesterViewOf(store.db, outcome.row);
        default: {
          const never: never = outcome;
          return never;
        }
      }
    },

    async getForRequester(id, token) {
      const row = await loadByToken(store.db, id, token, false);
      return requesterViewOf(store.db, row);
    },

    async checkRequesterToken(id, token) {
      await loadByToken(store.db, id, token, false);
    },

    async withdraw(id, token) {
      const row = await transaction(async (trx) => {
        const r = await loadByToken(trx, id, token, true);
        assertActionAllowed(rowState(r), 'withdraw');
        const values = { ...moveTo(r, 'withdrawn', clock.now()), closed_at: clock.now().toISOString() };
        await update(trx, id, values);
        await record(trx, id, `requester:${id}`, 'withdrawn', { from: r.state });
        return rowAfter(r, values);
      });
      return requesterViewOf(store.db, row);
    },

    async uploadDocuments(id, token, files) {
      if (files.length === 0) throw new MamoriError('MAMORI_VALIDATION_FAILED', 'Attach at least one file.');
      for (const f of files) checkUpload(f);
      const row = await transaction(async (trx) => {
        const r = await loadByToken(trx, id, token, true);
        assertActionAllowed(rowState(r), 'attach_document');
        const actor: Actor = `requester:${id}`;
        const ids: string[] = [];
        for (const f of files) ids.push(await storeFile(trx, id, actor, f, f.purpose, f.proofKind ?? null));
        await record(trx, id, actor, 'documents_received', { files: ids });
        return r;
      });
      return requesterViewOf(store.db, row);
    },

  };
}
