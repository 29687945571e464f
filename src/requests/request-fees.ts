import { z } from 'zod';
import { MamoriError } from '../errors.ts';
import { paymentMethods } from '../policy/schema.ts';
import './request-errors.ts';
import { markPaidBody } from './request-inputs.ts';
import { rowKind, type Row } from './request-rows.ts';
import { evaluateFee } from '../law/appi/fees.ts';
import { paymentLapsedMail, paymentReceivedMail } from '../mail/templates/request-mails.ts';
import type { RequestService } from './request-service-api.ts';
import type { RequestContext } from './request-context.ts';

/**
 * The fee (38条): paid as recorded by staff or notified by the payment provider's signed webhook (either way the
 * person gets a mail saying so); unpaid past the policy's payment_days, the request lapses with a notice.
 */
export function createFeeStage(ctx: RequestContext): Pick<RequestService, 'markPaid' | 'recordWebhookPayment' | 'lapseUnpaidRequests'> {
  const { store, clock, policy, load, record, update, rowAfter, settle, startedWork, transaction, loadFor, mail, mailBase, moveTo } = ctx;

  return {
    async markPaid(by, id, payment) {
      const p = markPaidBody.parse(payment);
      const row = await transaction(async (trx) => {
        const r = await loadFor(trx, id, 'mark_paid');
        if (r.fee_amount === null) throw new MamoriError('MAMORI_REQUEST_FEE_NOT_DUE');
        if (r.fee_paid_at) throw new MamoriError('MAMORI_REQUEST_STATE_CONFLICT', 'The fee is already recorded as paid.');
        if (p.amount !== undefined && p.amount !== r.fee_amount) throw new MamoriError('MAMORI_REQUEST_FEE_AMOUNT', `The fee is ${r.fee_amount} yen; ${p.amount} yen was recorded.`);
        const now = clock.now();
        const extra: Partial<Row> = { fee_paid_at: now.toISOString(), fee_payment_method: p.method, fee_reference: p.reference };
        await record(trx, id, by, 'fee_paid', { amount: r.fee_amount, method: p.method, reference: p.reference });
        const fee = evaluateFee(policy, rowKind(r));
        if (fee.status === 'charged') await mail(trx, rowAfter(r, extra), 'payment_received', paymentReceivedMail(mailBase(r), { wording: fee.wording, paidAt: now.toISOString() }));
        if (r.state === 'awaiting_payment') return settle(trx, r, by, now, extra);
        await update(trx, id, { ...extra, updated_at: now.toISOString() });
        return rowAfter(r, extra);
      });
      if (row.state === 'in_progress') await startedWork(row);
    },

    async recordWebhookPayment(payload) {
      // The provider names the request by our id, or by the 8-digit payment reference the person typed on its page.
      const parsed = z.object({ request_id: z.string().min(1).max(80).optional(), payment_reference: z.string().regex(/^\d{8}$/).optional(), amount: z.number().int().positive(), currency: z.literal('JPY'), method: z.enum(paymentMethods).default('card'), reference: z.string().min(1).max(200) })
        .refine((v) => v.request_id !== undefined || v.payment_reference !== undefined)
        .safeParse(payload);
      if (!parsed.success) throw new MamoriError('MAMORI_VALIDATION_FAILED', 'The payment notification is missing request_id (or payment_reference), amount, currency (JPY) or reference.');
      const p = parsed.data;
      let requestId = p.request_id;
      if (requestId === undefined) {
        const byCode = await store.db.selectFrom('requests').select('id').where('payment_code', '=', p.payment_reference ?? '').executeTakeFirst();
        if (!byCode) throw new MamoriError('MAMORI_REQUEST_NOT_FOUND');
        requestId = byCode.id;
      }
      const existing = await load(store.db, requestId, false);
      if (existing.fee_paid_at) {
        if (existing.fee_reference === p.reference) return { requestId: existing.id, alreadyPaid: true };
        throw new MamoriError('MAMORI_REQUEST_STATE_CONFLICT', 'The fee for this request is already paid under another reference.');
      }
      await this.markPaid('system', requestId, { method: p.method, reference: p.reference, amount: p.amount });
      return { requestId, alreadyPaid: false };
    },

    async lapseUnpaidRequests() {
      const now = clock.now();
      const due = await store.db.selectFrom('requests').select('id').where('state', '=', 'awaiting_payment').where('payment_due_at', '<', now.toISOString()).orderBy('payment_due_at').limit(500).execute();
      let lapsed = 0;
      for (const { id } of due) {
        // Checked again under the row lock: a payment recorded meanwhile, or a second run of this check, wins.
        const done = await transaction(async (trx) => {
          const r = await load(trx, id, true);
          if (r.state !== 'awaiting_payment' || r.fee_paid_at || !r.payment_due_at || r.payment_due_at >= now.toISOString()) return false;
          const values: Partial<Row> = { ...moveTo(r, 'lapsed', now), closed_at: now.toISOString() };
          await update(trx, id, values);
          await record(trx, id, 'system', 'payment_lapsed', { due_at: r.payment_due_at });
          await mail(trx, rowAfter(r, values), 'payment_lapsed', paymentLapsedMail(mailBase(r), { dueAt: r.payment_due_at }));
          return true;
        });
        if (done) lapsed += 1;
      }
      return { lapsed };
    },

  };
}
