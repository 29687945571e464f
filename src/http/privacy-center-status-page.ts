import type { Policy } from '../policy/schema.ts';
import { localize } from '../policy/load-policy.ts';
import type { PaymentInstructions, RequesterStep, RequesterView } from '../requests/request-service.ts';
import { suspensionMeasures } from '../requests/request-service.ts';
import { complaintLines } from '../mail/templates/request-mails.ts';
import { html, type SafeHtml } from '../html/html.ts';
import { formatJapanDate } from '../dates/japan-date.ts';
import type { Lang } from '../html/layout.ts';
import { centerPage, stepIndicator, t } from './privacy-center-pages.ts';
import { paymentLabels } from './request-labels.ts';

/** Dates shown to people: Japan time, 2026年4月1日 / 1 April 2026. */
export function formatDate(iso: string, lang: Lang): string {
  return formatJapanDate(iso, lang);
}

const outcomeText: Record<NonNullable<RequesterView['decision']>['outcome'], { ja: string; en: string }> = {
  full: { ja: 'ご請求のとおり対応いたします。', en: 'We will do as you requested.' },
  partial: { ja: 'ご請求の一部について対応し、一部については対応いたしかねます。', en: 'We will do part of what you requested, but not all of it.' },
  refused: { ja: '誠に恐れ入りますが、ご請求には応じられません。', en: 'We regret that we cannot do what you requested.' },
  alternative: { ja: 'ご請求どおりの対応は困難なため、代わりの措置をとります。', en: 'We cannot do exactly what you requested, so we take an alternative measure.' },
};

function show(v: unknown): string {
  return v === null || v === undefined || v === '' ? '—' : typeof v === 'string' ? v : JSON.stringify(v);
}

function nextStep(lang: Lang, policy: Policy, view: RequesterView, links: { verify: string; documents: string }): SafeHtml {
  switch (view.next) {
    case 'enter_code':
      return html`<section class="notice" aria-labelledby="next-title"><h2 id="next-title" style="margin-top:0">${t(lang, '次にしていただくこと', 'What you need to do next')}</h2>
<p>${t(lang, 'メールでお送りした確認コードを入力してください。', 'Please enter the code we emailed you.')}</p><p><a class="button" href="${links.verify}">${t(lang, '確認コードを入力する', 'Enter the code')}</a></p></section>`;
    case 'pay_fee': {
      const pay = view.payment;
      const note = policy.requests.kinds[view.kind]?.fee?.note;
      return html`<section class="notice" aria-labelledby="next-title"><h2 id="next-title" style="margin-top:0">${t(lang, '手数料のお支払いのお願い', 'Please pay the fee')}</h2>
${pay ? paymentSection(lang, pay) : ''}
${note ? html`<p>${localize(note, lang)}</p>` : ''}
<p>${t(lang, 'お支払いを確認しましたら、メールでお知らせし、手続きを進めます。お支払いまでの期間は回答期限に含めません。', 'Once we confirm the payment, we will tell you by mail and continue. The time until then does not count toward our deadline.')}</p>
${pay?.dueAt ? html`<p class="muted">${t(lang, `${formatDate(pay.dueAt, lang)}までにお支払いを確認できない場合、このご請求は終了いたします（あらためてご請求いただけます）。`, `If we cannot confirm the payment by ${formatDate(pay.dueAt, lang)}, this request ends (you can make a new one at any time).`)}</p>` : ''}</section>`;
    }
    case 'send_documents':
      return html`<section class="notice" aria-labelledby="next-title"><h2 id="next-title" style="margin-top:0">${t(lang, '書類のご提出のお願い', 'Please send documents')}</h2>
${view.documentsRequested ? html`<p style="white-space:pre-wrap">${view.documentsRequested}</p>` : ''}
<form method="post" action="${links.documents}" enctype="multipart/form-data" class="stack">
<div><label for="identity_document">${t(lang, '本人確認書類など', 'Identity document or other document')}</label>
<p class="muted" id="identity_document-hint">${t(lang, 'PDF・PNG・JPEG形式、1ファイル10MBまで。マイナンバー（個人番号）や本籍地の記載は黒塗りにしてください。', 'PDF, PNG or JPEG, up to 10 MB. Please black out any My Number and registered domicile.')}</p>
<input id="identity_document" name="identity_document" type="file" accept="application/pdf,image/png,image/jpeg" aria-describedby="identity_document-hint"></div>
<div><label for="other_document">${t(lang, 'その他の書類（任意）', 'Another document (optional)')}</label>
<input id="other_document" name="other_document" type="file" accept="application/pdf,image/png,image/jpeg"></div>
<div><button type="submit">${t(lang, '書類を送る', 'Send the documents')}</button></div></form></section>`;
    case null:
      return html``;
    default: {
      const never: never = view.next;
      return never;
    }
  }
}

const stepWords: Record<RequesterStep, { ja: string; en: string }> = {
  filed: { ja: 'ご請求を受け付けました', en: 'We received your request' },
  email_verified: { ja: 'メールアドレスを確認しました', en: 'Your email address was confirmed' },
  identity_confirmed: { ja: 'ご本人であることを確認しました', en: 'We confirmed your identity' },
  payment_requested: { ja: '手数料のお支払いをお願いしました', en: 'We asked for the fee' },
  fee_paid: { ja: '手数料のお支払いを確認しました', en: 'We received the fee' },
  documents_requested: { ja: '書類のご提出をお願いしました', en: 'We asked for documents' },
  documents_received: { ja: '書類を受け取りました', en: 'We received your documents' },
  work_started: { ja: '対応を始めました', en: 'We started work on your request' },
  decided: { ja: '決定をお知らせしました', en: 'We sent our decision' },
  delivered: { ja: '開示内容をお届けしました', en: 'We delivered your disclosure' },
  downloaded: { ja: '開示データがダウンロードされました', en: 'Your data was downloaded' },
  closed: { ja: '手続きを完了しました', en: 'The request was closed' },
  withdrawn: { ja: 'ご請求が取り下げられました', en: 'The request was withdrawn' },
  lapsed: { ja: 'お支払い期限の経過により終了しました', en: 'The request ended: the fee was not paid in time' },
  rejected_unverified: { ja: 'ご本人確認ができず終了しました', en: 'The request ended: identity not confirmed' },
};

function timelineSection(lang: Lang, view: RequesterView): SafeHtml {
  if (view.timeline.length === 0) return html``;
  return html`<section aria-labelledby="timeline-title"><h2 id="timeline-title">${t(lang, 'これまでの経過', 'What has happened so far')}</h2>
<ol class="timeline">${view.timeline.map((e) => html`<li><time datetime="${e.at}">${formatDate(e.at, lang)}</time> ${stepWords[e.step][lang]}</li>`)}</ol></section>`;
}

const accountTypeWords = { ordinary: { ja: '普通預金', en: 'Ordinary account' }, checking: { ja: '当座預金', en: 'Checking account' } } as const;

/** Where to pay, the reference to quote and the deadline: the same facts as the payment mail. */
function paymentSection(lang: Lang, pay: PaymentInstructions): SafeHtml {
  const bank = pay.bankAccount;
  return html`<dl>
<dt>${t(lang, '金額', 'Amount')}</dt><dd><strong>${pay.wording[lang]}</strong></dd>
${pay.dueAt ? html`<dt>${t(lang, 'お支払い期限', 'Pay by')}</dt><dd>${formatDate(pay.dueAt, lang)}</dd>` : ''}
${pay.reference ? html`<dt>${t(lang, 'お支払い番号', 'Payment reference')}</dt><dd><strong class="payment-reference">${pay.reference}</strong></dd>` : ''}
</dl>
${bank
  ? html`<h3>${t(lang, '銀行振込', 'Bank transfer')}</h3><dl class="bank-account">
<dt>${t(lang, '金融機関', 'Bank')}</dt><dd>${bank.bank[lang]}</dd>
<dt>${t(lang, '支店', 'Branch')}</dt><dd>${bank.branch[lang]}</dd>
<dt>${t(lang, '口座', 'Account')}</dt><dd>${accountTypeWords[bank.type][lang]} ${bank.number}</dd>
<dt>${t(lang, '口座名義', 'Account holder')}</dt><dd>${bank.holderKana}</dd>
${pay.reference ? html`<dt>${t(lang, '振込依頼人名', 'Sender name')}</dt><dd>${t(lang, `お名前の前にお支払い番号を入力してください（例: ${pay.reference} ヤマダ ハナコ）。`, `Type the payment reference before your name (e.g. ${pay.reference} YAMADA HANAKO).`)}</dd>` : ''}
</dl><p class="muted">${t(lang, '振込手数料はご負担をお願いいたします。', 'Bank charges are borne by the sender.')}</p>`
  : ''}
${pay.paymentUrl
  ? html`<h3>${t(lang, 'クレジットカード・コンビニ決済', 'Card or convenience store')}</h3><p><a class="button" href="${pay.paymentUrl}" rel="noopener">${t(lang, 'お支払いページへ', 'Go to the payment page')}</a></p>${pay.reference ? html`<p class="muted">${t(lang, `お支払いページでお支払い番号「${pay.reference}」を入力してください。`, `Enter the payment reference "${pay.reference}" on the payment page.`)}</p>` : ''}`
  : ''}
${pay.methods.filter((m) => !(m === 'bank_transfer' && bank) && !((m === 'card' || m === 'convenience_store') && pay.paymentUrl)).length > 0
  ? html`<p>${t(lang, 'そのほかのお支払い方法', 'Other ways to pay')}: ${pay.methods.filter((m) => !(m === 'bank_transfer' && bank) && !((m === 'card' || m === 'convenience_store') && pay.paymentUrl)).map((m) => paymentLabels[m][lang]).join(lang === 'ja' ? '、' : ', ')}${t(lang, '（詳しくはお問い合わせ窓口にお尋ねください）', ' (please ask our privacy desk how)')}</p>`
  : ''}`;
}

/** The secret per-request status page: status, what is needed next, the decision with reasons, the download. */
export function statusPage(lang: Lang, policy: Policy, view: RequesterView, token: string, now: Date): string {
  const base = `/privacy-center/requests/${encodeURIComponent(view.id)}`;
  const q = `token=${encodeURIComponent(token)}&lang=${lang}`;
  const d = view.decision;
  const deadline = view.deadline;
  const withdrawable = ['awaiting_verification', 'verified', 'awaiting_payment', 'awaiting_documents', 'in_progress'].includes(view.state);
  const body = html`${stepIndicator(lang, 3)}<h1>${t(lang, 'ご請求の状況', 'Your request')}</h1>
<dl>
<dt>${t(lang, '受付番号', 'Request number')}</dt><dd>${view.id}</dd>
<dt>${t(lang, 'ご請求の種類', 'Kind')}</dt><dd>${view.kindName[lang]}</dd>
<dt>${t(lang, '受付日', 'Received')}</dt><dd>${formatDate(view.createdAt, lang)}</dd>
<dt>${t(lang, '現在の状況', 'Status')}</dt><dd><strong>${view.stateLabel[lang]}</strong></dd>
${deadline.status === 'running' && deadline.dueAt ? html`<dt>${t(lang, '回答予定日', 'We aim to answer by')}</dt><dd>${formatDate(deadline.dueAt, lang)}</dd>` : ''}
${deadline.status === 'overdue' && deadline.dueAt ? html`<dt>${t(lang, '回答予定日', 'We aimed to answer by')}</dt><dd>${formatDate(deadline.dueAt, lang)} ${t(lang, '（遅れており申し訳ございません。できるだけ早くご回答します）', '(we are late, and sorry: we will answer as soon as we can)')}</dd>` : ''}
${deadline.status === 'paused' ? html`<dt>${t(lang, '回答期限', 'Deadline')}</dt><dd>${t(lang, 'ご対応をお待ちしている間は、回答期限の進行を止めています。', 'The deadline is on hold while we wait for you.')}</dd>` : ''}
${view.fee ? html`<dt>${t(lang, '手数料', 'Fee')}</dt><dd>${view.fee.wording[lang]} ${view.fee.paid ? t(lang, '（お支払いを確認しました）', '(payment received)') : t(lang, '（未払い）', '(not yet paid)')}</dd>` : ''}
</dl>
${nextStep(lang, policy, view, { verify: `${base}/verify?${q}`, documents: `${base}/documents?${q}` })}
${d
  ? html`<section aria-labelledby="decision-title"><h2 id="decision-title">${t(lang, '決定の内容', 'Our decision')}</h2>
<p class="muted">${t(lang, '決定日', 'Decided on')}: ${formatDate(d.decidedAt, lang)}</p>
<p><strong>${outcomeText[d.outcome][lang]}</strong></p>
${d.groundLabel && d.article ? html`<p>${t(lang, '根拠', 'Ground')}: ${t(lang, `個人情報の保護に関する法律 ${d.article}`, `Act on the Protection of Personal Information, art. ${d.article}`)}（${d.groundLabel[lang]}）</p>` : ''}
${d.reason ? html`<h3>${t(lang, '理由', 'Reason')}</h3><p style="white-space:pre-wrap">${d.reason}</p>` : ''}
${d.corrections.length > 0
  ? html`<h3>${t(lang, '訂正等の内容', 'What we changed')}</h3><table><thead><tr><th scope="col">${t(lang, '項目', 'Item')}</th><th scope="col">${t(lang, '訂正前', 'Before')}</th><th scope="col">${t(lang, '訂正後', 'After')}</th></tr></thead>
<tbody>${d.corrections.map((c) => html`<tr><td>${c.field}</td><td>${show(c.before)}</td><td>${show(c.after)}</td></tr>`)}</tbody></table>`
  : ''}
${d.measure ? html`<p>${t(lang, '実施した措置', 'Measure taken')}: ${suspensionMeasures[d.measure].label[lang]}</p>` : ''}
${d.alternativeMeasure ? html`<h3>${t(lang, '代わりにとる措置', 'Alternative measure')}</h3><p style="white-space:pre-wrap">${d.alternativeMeasure}</p>` : ''}
${d.outcome !== 'full' ? html`<div class="muted">${complaintLines(policy, lang).map((l) => html`<p style="margin:0">${l}</p>`)}</div>` : ''}
</section>`
  : ''}
${view.delivery
  ? html`<section aria-labelledby="delivery-title"><h2 id="delivery-title">${t(lang, 'お届け', 'Delivery')}</h2>
${view.delivery.format === 'zip'
  ? view.delivery.expiresAt && new Date(view.delivery.expiresAt).getTime() < now.getTime()
    ? html`<p>${t(lang, 'ダウンロードの有効期限が過ぎました。お問い合わせ窓口にご連絡いただければ、新しいリンクをご用意します。', 'The download has expired. Contact us and we will prepare a new link.')}</p>`
    : html`<p>${t(lang, '開示する内容をZIPファイル（閲覧用HTML、JSON、CSV）でご用意しました。', 'Your data is ready as a ZIP file (HTML to read, JSON and CSV).')}</p>
<p><a class="button" href="${base}/package?${q}" download>${t(lang, '開示データをダウンロード', 'Download your data')}</a></p>
${view.delivery.expiresAt ? html`<p class="muted">${t(lang, `有効期限: ${formatDate(view.delivery.expiresAt, lang)}まで。ダウンロードの記録は保存しています。`, `Available until ${formatDate(view.delivery.expiresAt, lang)}. Each download is recorded.`)}</p>` : ''}`
  : html`<p>${t(lang, `${formatDate(view.delivery.deliveredAt, lang)}に書面を郵送いたしました。`, `We sent a letter by post on ${formatDate(view.delivery.deliveredAt, lang)}.`)}</p>`}
</section>`
  : ''}
${timelineSection(lang, view)}
${withdrawable
  ? html`<section aria-labelledby="withdraw-title"><h2 id="withdraw-title">${t(lang, 'ご請求の取り下げ', 'Withdraw the request')}</h2>
<form method="post" action="${base}/withdraw?${q}"><p>${t(lang, 'ご請求が不要になった場合は、取り下げることができます。', 'If you no longer need this request, you can withdraw it.')}</p><button type="submit" class="secondary">${t(lang, 'ご請求を取り下げる', 'Withdraw')}</button></form></section>`
  : ''}
<p class="muted">${t(lang, 'このページのアドレスはご本人専用です。他の方に知らせないでください。', 'This page address is for you alone. Please do not share it.')}</p>`;
  return centerPage(lang, policy, t(lang, 'ご請求の状況', 'Your request'), body, { path: base, query: { token } });
}
