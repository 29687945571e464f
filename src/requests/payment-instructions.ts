import { randomInt } from 'node:crypto';
import { evaluateFee } from '../law/appi/fees.ts';
import { japanDay } from '../dates/japan-date.ts';
import { localize } from '../policy/load-policy.ts';
import type { Policy } from '../policy/schema.ts';
import type { DbOrTrx } from '../store/store.ts';
import { rowKind, type Row } from './request-rows.ts';
import type { PaymentInstructions } from './payment-view.ts';

/**
 * How a person pays the fee (38条): the amount with its tax wording, where to pay, a reference they can type, and
 * the day by which to pay. Built from the policy's fee and the request row; the same facts feed the mail and the
 * status page, so the two never disagree.
 */
export function paymentInstructionsFor(policy: Policy, row: Row): PaymentInstructions | null {
  const fee = evaluateFee(policy, rowKind(row));
  if (fee.status !== 'charged' || row.fee_amount === null) return null;
  const configured = policy.requests.kinds[rowKind(row)]?.fee;
  const bank = configured?.bank_account;
  return {
    amount: row.fee_amount,
    wording: fee.wording,
    methods: fee.payment,
    reference: row.payment_code ?? null,
    dueAt: row.payment_due_at ?? null,
    bankAccount: bank && fee.payment.includes('bank_transfer')
      ? { bank: { ja: localize(bank.bank, 'ja'), en: localize(bank.bank, 'en') }, branch: { ja: localize(bank.branch, 'ja'), en: localize(bank.branch, 'en') }, type: bank.type, number: bank.number, holderKana: bank.holder_kana }
      : null,
    paymentUrl: configured?.payment_url && (fee.payment.includes('card') || fee.payment.includes('convenience_store')) ? configured.payment_url : null,
    paid: row.fee_paid_at !== null,
  };
}

/**
 * A transfer reference a person can type into a bank's 振込依頼人名 field: 8 digits, no letters or symbols (banks
 * accept only katakana, digits and a few marks there). Unique among requests.
 */
export async function newPaymentCode(db: DbOrTrx): Promise<string> {
  for (;;) {
    const code = String(randomInt(10_000_000, 100_000_000));
    const taken = await db.selectFrom('requests').select('id').where('payment_code', '=', code).executeTakeFirst();
    if (!taken) return code;
  }
}

/** The end of the JST day `days` days after `now`: the last moment the person can pay. */
export function paymentDueAt(now: Date, days: number): string {
  const lastDay = japanDay(new Date(now.getTime() + days * 86_400_000));
  return new Date(new Date(`${lastDay}T00:00:00+09:00`).getTime() + 86_400_000 - 1).toISOString();
}

/**
 * Days to pay, when the policy declares them. Without `payment_days` nothing lapses: a request is never ended on a
 * deadline the published policy does not state.
 */
export function paymentDaysFor(policy: Policy, row: Row): number | undefined {
  return policy.requests.kinds[rowKind(row)]?.fee?.payment_days;
}

