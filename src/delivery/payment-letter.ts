import { html, type SafeHtml } from '../html/html.ts';
import { paymentInstructionLines } from '../mail/templates/request-mails.ts';
import type { Policy, RequestKind } from '../policy/schema.ts';
import { localize } from '../policy/load-policy.ts';
import { formatJapanDate, formatLetterDate } from '../dates/japan-date.ts';
import { requestKindRules } from '../law/appi/request-kinds.ts';
import type { PaymentInstructions } from '../requests/payment-view.ts';

/**
 * The printable letter asking for the fee (38条) on a request that has no email, e.g. one sent by post: the amount
 * with its tax wording, where to pay (bank account with the holder in katakana, or the payment page), the 8-digit
 * reference to type and the last day to pay, dated in Japan time, with the addressee and the operator.
 */
export interface PaymentLetterInput {
  lang: 'ja' | 'en';
  policy: Policy;
  request: { id: string; kind: RequestKind };
  /** The instant the letter is issued; printed as the JST day (with the era in Japanese). */
  date: string;
  /** Who the letter is to (the requester or the agent); without it, 「ご請求者 様」. */
  addressee?: { name?: string | null; address?: string | null } | null;
  payment: PaymentInstructions;
}

const LETTER_CSS = 'body{font-family:"Hiragino Mincho ProN","Noto Serif JP",serif;max-width:780px;margin:2rem auto;padding:0 1rem;line-height:1.8}.meta{text-align:right}.to{font-size:1.1em;margin:1.5rem 0 0}.pay{border:1px solid #666;padding:.6rem 1rem;margin:1rem 0}.pay p{margin:.2rem 0}.pay h2{font-size:1em;margin:.8rem 0 .2rem}@media print{body{margin:0;max-width:none}.pay{break-inside:avoid-page}}';

export function renderPaymentLetter(input: PaymentLetterInput): string {
  const { lang, policy, payment: p } = input;
  const ja = lang === 'ja';
  const kind = requestKindRules[input.request.kind].name[lang];
  const operator = localize(policy.operator.name, lang);
  const operatorAddress = policy.operator.address ? localize(policy.operator.address, lang) : '';
  const name = input.addressee?.name?.trim();
  const address = input.addressee?.address?.trim();
  const to = name ? (ja ? `${name} 様` : `Dear ${name}`) : ja ? 'ご請求者 様' : 'Dear requester';
  // The same lines as the mail, so letter, mail and status page never disagree; a "■" line heads a way to pay.
  const blocks: SafeHtml[] = paymentInstructionLines(p, lang)
    .filter((line) => line !== '')
    .map((line) => (line.startsWith('■') ? html`<h2>${line.slice(1).trim()}</h2>` : html`<p>${line.trim()}</p>`));
  const body: string[] = ja
    ? [
        `${kind}のご請求をお受けいたしました。このご請求には、手数料をいただいております。お手数ですが、次のとおりお支払いをお願いいたします。`,
        ...(p.dueAt ? [`お支払い期限は${formatJapanDate(p.dueAt, 'ja')}（日本時間）です。期限までにお支払いが確認できない場合、このご請求は終了いたします。その後も、あらためてご請求いただけます。`] : []),
        'お支払いを確認しましたら、手続きを進め、結果を書面でお知らせいたします。お支払いまでの期間は、回答までの期間に含めません。',
      ]
    : [
        `We have received your request (${kind}). A fee applies to it: please pay as follows.`,
        ...(p.dueAt ? [`Please pay by ${formatJapanDate(p.dueAt, 'en')} (Japan time). If we cannot confirm the payment by then, this request will end; you can make a new request at any time.`] : []),
        'Once we confirm the payment, we will work on your request and tell you the result in writing. The time until payment does not count toward our answer deadline.',
      ];
  const page = html`<div class="meta"><p>${formatLetterDate(input.date, lang)}</p><p>${ja ? '受付番号' : 'Request number'}: ${input.request.id}</p></div>
<div class="to">${address ? html`<p>${address.split(/\r?\n/).map((line, i) => (i === 0 ? line : html`<br>${line}`))}</p>` : ''}<p>${to}</p></div>
<div class="meta"><p>${operator}${operatorAddress ? html`<br>${operatorAddress}` : ''}</p></div>
<h1>${ja ? '手数料のお支払いについてのご案内' : 'Paying the fee for your request'}</h1>
<p>${body[0] ?? ''}</p>
<section class="pay" aria-label="${ja ? 'お支払いの内容' : 'How to pay'}">${blocks}</section>
${body.slice(1).map((text) => html`<p>${text}</p>`)}
<p class="meta">${ja ? '以上' : ''}</p>`;
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>${ja ? '手数料のご案内' : 'Fee notice'} ${input.request.id}</title><style>${LETTER_CSS}</style></head><body><main>${page.value}</main></body></html>`;
}
