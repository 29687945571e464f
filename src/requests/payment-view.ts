import type { PaymentMethod } from '../policy/schema.ts';

/** Everything a person needs to pay the fee without asking (see payment-instructions.ts). */
export interface PaymentInstructions {
  amount: number;
  /** e.g. 5,500円（税込） */
  wording: { ja: string; en: string };
  methods: PaymentMethod[];
  /** Digits only, typed before the name as 振込依頼人名; null until the request reaches payment. */
  reference: string | null;
  /** The last moment to pay (end of a JST day); after it the request lapses with a notice. */
  dueAt: string | null;
  bankAccount: { bank: { ja: string; en: string }; branch: { ja: string; en: string }; type: 'ordinary' | 'checking'; number: string; holderKana: string } | null;
  paymentUrl: string | null;
  paid: boolean;
}

/** What the person sees of the timeline: steps of their request, never staff views or internal checks. */
export type RequesterStep =
  | 'filed' | 'email_verified' | 'identity_confirmed' | 'payment_requested' | 'fee_paid' | 'documents_requested' | 'documents_received'
  | 'work_started' | 'decided' | 'delivered' | 'downloaded' | 'closed' | 'withdrawn' | 'lapsed' | 'rejected_unverified';

export interface RequesterTimelineEntry {
  at: string;
  step: RequesterStep;
}
