import { MamoriError } from '../errors.ts';
import { newId } from '../ids.ts';
import { dueDate, targetDaysFor } from '../law/appi/deadlines.ts';
import { evaluateFee } from '../law/appi/fees.ts';
import { decidedMail, documentsNeededMail, receivedMail } from '../mail/templates/request-mails.ts';
import './request-errors.ts';
import { requestToken } from './request-secrets.ts';
import { checkUpload } from './request-uploads.ts';
import { isRequestKind, type StoredDecision } from './request-inputs.ts';
import { decisionForMail, deadlineFacts, procedureFor, rowLang, statusUrlFor, type Row } from './request-rows.ts';
import type { RequestService } from './request-service-api.ts';
import type { RequestContext } from './request-context.ts';
import { createClaimConfirmation } from './request-identity.ts';
import { createRequestChecks } from './request-checks.ts';

/** Requests entered by staff (post, phone, forms), documents, identity confirmation from documents, and the end of a request whose identity could not be confirmed (37条). */
export function createStaffEntryStage(ctx: RequestContext): Pick<RequestService, 'enterRequest' | 'attachDocuments' | 'confirmIdentity' | 'requestDocuments' | 'rejectUnverified'> {
  const { clock, config, policy, tokenHash, record, mail, mailBase, moveTo, update, rowAfter, settle, storeFile, startedWork, resolveQuietly, transaction, loadFor } = ctx;
  const confirmClaimsIn = createClaimConfirmation(ctx);
  const { checkEmail, checkDelivery, checkAgent } = createRequestChecks(ctx);

  return {
    async enterRequest(by, input) {
      const kind = input.kind;
      if (!isRequestKind(kind)) throw new MamoriError('MAMORI_REQUEST_UNKNOWN_KIND');
      const proc = procedureFor(policy, kind);
      if (!proc) throw new MamoriError('MAMORI_REQUEST_KIND_NOT_OFFERED', undefined, { kind });
      const contact = policy.operator.contacts.find((c) => c.id === input.channel);
      if (!contact || !proc.channels.includes(input.channel)) {
        const listed = proc.channels.filter((c) => c !== 'privacy_center');
        throw new MamoriError('MAMORI_REQUEST_CHANNEL_INVALID', `Channel "${input.channel}" is not listed for ${kind} requests. Listed: ${listed.join(', ') || '(privacy center only)'}.`);
      }
      // The same limits as the API's body, whoever calls: a 5,000-character account id is a typo, not an identifier.
      const tooLong = [['account_id', input.accountId, 200], ['description', input.description, 5000], ['agent_name', input.agent?.name, 200], ['agent_relationship', input.agent?.relationship, 200]] as const;
      const over = tooLong.filter(([, value, max]) => (value?.length ?? 0) > max).map(([field]) => field);
      if (over.length > 0) throw new MamoriError('MAMORI_VALIDATION_FAILED', `Too long: ${over.join(', ')} (account id and agent fields up to 200 characters, description up to 5,000).`, { fields: over });
      const email = input.email ? checkEmail(input.email) : null;
      const delivery = checkDelivery(kind, proc, input.delivery ?? (email ? undefined : 'paper'));
      checkAgent(kind, proc, input.agent, input.agent ? input.documents.filter((d) => d.purpose === 'agent_proof') : null);
      for (const d of input.documents) checkUpload(d);
      const fee = evaluateFee(policy, kind);
      const now = clock.now();
      const id = newId('req');
      const token = requestToken(config.secret, id);
      await transaction(async (trx) => {
        const row: Row = {
          id, kind, state: 'verified', channel: input.channel, lang: input.lang, email, account_id: input.accountId ?? null, subject_id: null,
          description: input.description, delivery, agent_kind: input.agent?.kind ?? null, agent_relationship: input.agent?.relationship ?? null, agent_name: input.agent?.name ?? null,
          verified_via: 'staff', verified_at: now.toISOString(), identity_confirmed_at: null, token_hash: email ? tokenHash(id) : null, target_days: targetDaysFor(policy, kind), due_at: null, paused_since: null, paused_s: 0,
          fee_amount: fee.status === 'charged' ? fee.amount : null, fee_tax: fee.status === 'charged' ? fee.tax : null, fee_paid_at: null, fee_payment_method: null, fee_reference: null,
          decision_json: null, decided_at: null, delivered_at: null, closed_at: null, entered_by: by, created_at: now.toISOString(), updated_at: now.toISOString(), resolution_json: null, payment_code: null, payment_due_at: null, grounds_json: null,
        };
        await trx.insertInto('requests').values(row).execute();
        const ids: string[] = [];
        for (const d of input.documents) ids.push(await storeFile(trx, id, by, d, d.purpose, d.proofKind ?? null));
        await record(trx, id, by, 'entered', { kind, channel: input.channel, channel_kind: contact.kind, delivery, agent: input.agent?.kind ?? null, files: ids, fee: fee.status === 'charged' ? fee.amount : null });
        await mail(trx, row, 'received', receivedMail(mailBase(row), { dueDate: null, needsDocumentCheck: true }));
      });
      return { id, token, statusUrl: statusUrlFor(config.baseUrl, id, token) };
    },

    async attachDocuments(by, id, files) {
      if (files.length === 0) throw new MamoriError('MAMORI_VALIDATION_FAILED', 'Attach at least one file.');
      for (const f of files) checkUpload(f);
      await transaction(async (trx) => {
        await loadFor(trx, id, 'attach_document');
        const ids: string[] = [];
        for (const f of files) ids.push(await storeFile(trx, id, by, f, f.purpose, f.proofKind ?? null));
        await record(trx, id, by, 'documents_attached', { files: ids });
      });
    },

    async confirmIdentity(by, id, note, options) {
      const claims = options?.claims ?? [];
      if (claims.length > 0 && !note?.trim()) throw new MamoriError('MAMORI_REQUEST_REASON_REQUIRED', 'Say what you checked: the note is the reason for confirming the claimed identifiers.');
      const row = await transaction(async (trx) => {
        const r = await loadFor(trx, id, 'confirm_identity');
        const now = clock.now();
        await record(trx, id, by, 'identity_confirmed', { agent: r.agent_kind }, note ? { note: note.slice(0, 500) } : {});
        if (claims.length > 0) await confirmClaimsIn(trx, r, by, claims, note ?? '');
        const after = await settle(trx, r, by, now, r.identity_confirmed_at ? {} : { identity_confirmed_at: now.toISOString() });
        if (r.identity_confirmed_at === null && after.state !== 'awaiting_payment') {
          const due = dueDate(deadlineFacts(after), now);
          await mail(trx, after, 'received', receivedMail(mailBase(after), { dueDate: due ? due.toISOString() : null, needsDocumentCheck: false }));
        }
        return after;
      });
      await resolveQuietly(id, 'system');
      if (row.state === 'in_progress') await startedWork(row);
    },

    async requestDocuments(by, id, what) {
      const text = what.trim();
      if (!text) throw new MamoriError('MAMORI_VALIDATION_FAILED', 'Say which documents are needed.');
      await transaction(async (trx) => {
        const r = await loadFor(trx, id, 'request_documents');
        const values = moveTo(r, 'awaiting_documents', clock.now());
        await update(trx, id, values);
        await record(trx, id, by, 'documents_requested', { from: r.state }, { what: text.slice(0, 2000) });
        await mail(trx, rowAfter(r, values), 'documents_needed', documentsNeededMail(mailBase(r), text));
      });
    },


    async rejectUnverified(by, id, reason) {
      const text = reason.trim();
      if (!text) throw new MamoriError('MAMORI_REQUEST_REASON_REQUIRED');
      await transaction(async (trx) => {
        const r = await loadFor(trx, id, 'reject_unverified');
        const now = clock.now();
        const stored: StoredDecision = { outcome: 'refused', ground: 'identity_not_confirmed', reason: text, corrections: [], measure: null, measureNote: null, alternativeMeasure: null, methodChange: null, decidedBy: by };
        const values: Partial<Row> = { ...moveTo(r, 'rejected_unverified', now), decision_json: JSON.stringify(stored), decided_at: now.toISOString(), closed_at: now.toISOString() };
        await update(trx, id, values);
        await record(trx, id, by, 'rejected_unverified', { from: r.state });
        // Only an address that was confirmed gets the notice: an unconfirmed one may belong to someone else.
        if (r.verified_at) await mail(trx, rowAfter(r, values), 'decided', decidedMail(mailBase(r), decisionForMail(stored, false, rowLang(r))));
      });
    },

  };
}
