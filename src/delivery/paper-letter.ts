import { html, type SafeHtml } from '../html/html.ts';
import { decidedMail, type DecisionForMail } from '../mail/templates/request-mails.ts';
import type { Policy, RequestKind } from '../policy/schema.ts';
import { localize } from '../policy/load-policy.ts';
import { formatLetterDate } from '../dates/japan-date.ts';
import { packageBodyHtml, type PackageInput } from './disclosure-package.ts';

/**
 * The printable letter (書面): the decision notice, and for a paper disclosure the disclosed data after it.
 * It also serves as the written notice of 33条3項 (no data held / chosen method not possible), which the decision
 * carries as its ground (`no_retained_data`) or its `methodChange`.
 */
export interface LetterInput {
  lang: 'ja' | 'en';
  policy: Policy;
  request: { id: string; kind: RequestKind };
  /** The instant the letter is issued (or its JST day, YYYY-MM-DD); printed as the JST day. */
  date: string;
  /** Who the letter is to, e.g. the agent's name; without it the letter is addressed to the requester. */
  addressee?: string | null;
  decision: DecisionForMail;
  disclosure?: PackageInput;
}

const LETTER_CSS = 'body{font-family:"Hiragino Mincho ProN","Noto Serif JP",serif;max-width:780px;margin:2rem auto;padding:0 1rem;line-height:1.8}.meta{text-align:right}.to{font-size:1.1em;margin:1.5rem 0 0}table{border-collapse:collapse;font-size:.9em}th,td{border:1px solid #666;padding:.2rem .4rem;text-align:left}@media print{body{margin:0;max-width:none}section{break-inside:avoid-page}}';

export function renderPaperLetter(input: LetterInput): string {
  const { lang, policy } = input;
  const mail = decidedMail({ lang, policy, requestId: input.request.id, kind: input.request.kind }, { ...input.decision, willDeliver: false });
  // The mail's footer names the request number again; the letter shows it in its header instead.
  const cut = mail.text.search(/\n\n(受付番号|Request number):/);
  const body = cut >= 0 ? mail.text.slice(0, cut) : mail.text;
  const paragraphs: SafeHtml[] = body.split(/\n{2,}/).map((p) => html`<p>${p.split('\n').map((line, i) => (i === 0 ? line : html`<br>${line}`))}</p>`);
  const address = policy.operator.address ? localize(policy.operator.address, lang) : '';
  const ja = lang === 'ja';
  const to = input.addressee ? (ja ? `${input.addressee} 様` : `Dear ${input.addressee}`) : ja ? 'ご請求者 様' : 'Dear requester';
  const page = html`<div class="meta"><p>${formatLetterDate(input.date, lang)}</p><p>${ja ? '受付番号' : 'Request number'}: ${input.request.id}</p></div>
<p class="to">${to}</p>
<div class="meta"><p>${localize(policy.operator.name, lang)}${address ? html`<br>${address}` : ''}</p></div>
<h1>${mail.subject.replace(/^【[^】]*】|^\[[^\]]*\] /, '')}</h1>
${paragraphs}
${input.disclosure ? html`<hr>${packageBodyHtml(input.disclosure, { inLetter: true })}` : ''}`;
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>${lang === 'ja' ? '通知書' : 'Notice'} ${input.request.id}</title><style>${LETTER_CSS}</style></head><body><main>${page.value}</main></body></html>`;
}
