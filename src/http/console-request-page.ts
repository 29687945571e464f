import type { FastifyRequest } from 'fastify';
import { paymentMethods, type Policy } from '../policy/schema.ts';
import { localize } from '../policy/load-policy.ts';
import { refusalGrounds, type RefusalGround } from '../law/appi/refusal-grounds.ts';
import { allowedFrom, requestStateInfo, requestStates, type RequestState } from '../requests/request-state.ts';
import { isAgentProof, isRequestKind, suspensionMeasures, type StaffRequestView, type SuspensionMeasure } from '../requests/request-service.ts';
import { can } from '../staff/staff-permissions.ts';
import { html, type SafeHtml } from '../html/html.ts';
import type { Lang } from '../html/layout.ts';
import { consoleLang, csrfField, csrfQuery } from './staff-auth.ts';
import { suspensionGrounds, suspensionGroundsFor } from '../law/appi/suspension-grounds.ts';
import { claimCheckboxes, identitySection } from './console-identity-section.ts';
import { cleanFilename } from '../requests/request-uploads.ts';
import { agentKindLabels, agentProofLabels, articleName, claimCheckLabels, deliveryLabels, filePurposeLabels, gatheredSourceLabel, kindName, outcomeLabels, packageFormatLabels, paymentLabels, timelineActionLabels, timelineDetailLabels, verifiedViaLabels } from './request-labels.ts';
import { t, formatTime, formatDay, messageBox, consoleStyle, type ConsoleMessage } from './console-page-parts.ts';
import { deadlineCell, channelLabel } from './console-queue-page.ts';

/** One request for staff: its state, events, documents, and the form of each next step. */
const isRequestState = (v: string): v is RequestState => (requestStates as readonly string[]).includes(v);
const isRefusalGround = (v: string): v is RefusalGround => v in refusalGrounds;

/** A timeline entry's details in words: each known key through its label table; internal ids are left out. */
export function timelineDetails(data: Record<string, unknown>, lang: Lang, policy: Policy, staffNames: ReadonlyMap<string, string>): string {
  const count = (v: unknown) => (Array.isArray(v) ? v.length : typeof v === 'number' ? v : null);
  const word = (table: Record<string, { ja: string; en: string }>, v: unknown) => (typeof v === 'string' ? table[v]?.[lang] ?? null : null);
  const value = (key: string, v: unknown): string | null => {
    if (key === 'assignee') return typeof v === 'string' ? staffNames.get(v) ?? t(lang, '（登録のないスタッフ）', '(unknown staff)') : t(lang, '担当者なし', 'Nobody');
    if (v === null || v === undefined || v === '') return null;
    switch (key) {
      case 'kind': return typeof v === 'string' && isRequestKind(v) ? kindName(v, lang) : null;
      case 'from': case 'to': return typeof v === 'string' && isRequestState(v) ? requestStateInfo[v].label[lang] : null;
      case 'channel': return typeof v === 'string' ? channelLabel(policy, v, lang) : null;
      case 'delivery': case 'method_change': return word(deliveryLabels, v);
      case 'agent': return word(agentKindLabels, v);
      case 'outcome': return word(outcomeLabels, v);
      case 'ground': return typeof v === 'string' && isRefusalGround(v) ? `${articleName(refusalGrounds[v].article, lang)} ${refusalGrounds[v].label[lang]}` : null;
      case 'format': return word(packageFormatLabels, v);
      case 'method': return word(paymentLabels, v);
      case 'via': return word(verifiedViaLabels, v);
      case 'check': return word(claimCheckLabels, v);
      case 'source': return typeof v === 'string' ? gatheredSourceLabel(v, lang) : null;
      case 'sources': return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string').map((x) => gatheredSourceLabel(x, lang)).join(t(lang, '、', ', ')) || null : null;
      case 'fee': case 'amount': return typeof v === 'number' ? `${v.toLocaleString('en-US')}${t(lang, '円', ' JPY')}` : null;
      case 'files': case 'sections': case 'rows': case 'groups': case 'corrections': case 'attempt': { const n = count(v); return n === null ? null : t(lang, `${n}件`, String(n)); }
      case 'alternative': return typeof v === 'boolean' ? (v ? t(lang, 'あり', 'yes') : null) : null;
      case 'expires_at': case 'due_at': return typeof v === 'string' ? formatTime(v, lang) : null;
      case 'reference': case 'note': case 'what': case 'reason': return typeof v === 'string' ? v : null;
      default: return null;
    }
  };
  return Object.entries(data)
    .flatMap(([k, v]) => {
      const label = timelineDetailLabels[k];
      const shown = label ? value(k, v) : null;
      return label && shown !== null ? [`${label[lang]}: ${shown}`] : [];
    })
    .join(t(lang, '／', ' / '))
    .slice(0, 300);
}

function payment(method: string | null, lang: Lang): string {
  const known = paymentMethods.find((m) => m === method);
  return known ? paymentLabels[known][lang] : t(lang, '支払方法の記録なし', 'method not recorded');
}

function dl(rows: Array<[string, SafeHtml | string | null | undefined]>): SafeHtml {
  return html`<table><tbody>${rows.filter(([, v]) => v !== null && v !== undefined && v !== '').map(([k, v]) => html`<tr><th scope="row" style="width:12em">${k}</th><td>${v}</td></tr>`)}</tbody></table>`;
}

function fileLabel(purpose: string, proofKind: string | null, lang: Lang): string {
  const proof = proofKind && isAgentProof(proofKind) ? agentProofLabels[proofKind][lang] : null;
  return proof ?? filePurposeLabels[purpose]?.[lang] ?? filePurposeLabels.other![lang];
}

/** One request: facts, documents, actions allowed in its state and by the viewer's role, and the full timeline. */
export function requestBody(request: FastifyRequest, policy: Policy, v: StaffRequestView, message?: ConsoleMessage, staffNames: ReadonlyMap<string, string> = new Map(), opts: { hasGraph: boolean; extra?: SafeHtml } = { hasGraph: true }): SafeHtml {
  const lang = consoleLang(request);
  const role = request.staff?.role;
  const handle = role !== undefined && can(role, 'requests.handle');
  const decide = role !== undefined && can(role, 'requests.decide');
  const base = `/console/requests/${v.id}`;
  const state: RequestState = v.state;
  const proc = policy.requests.kinds[v.kind];
  const d = v.decision;
  // Irreversible steps (a decision, a delivery, an ending) ask for a ticked confirmation; the browser enforces it.
  const form = (action: string, title: string, inner: SafeHtml, button: string, opts: { multipart?: boolean; id?: string; confirm?: string } = {}) =>
    html`<form method="post" action="${base}/${action}${opts.multipart ? html`?${csrfQuery(request)}` : ''}"${opts.multipart ? html` enctype="multipart/form-data"` : ''} class="stack" style="max-width:none" aria-labelledby="${opts.id ?? action}-heading">
${csrfField(request)}<h3 id="${opts.id ?? action}-heading" style="margin-top:0">${title}</h3>${inner}${opts.confirm ? html`<div class="confirm"><input type="checkbox" id="${opts.id ?? action}-confirm" name="confirmed" value="yes" required style="width:auto"> <label for="${opts.id ?? action}-confirm" style="font-weight:400">${opts.confirm}</label></div>` : ''}<div><button type="submit">${button}</button></div></form>`;

  const actions: SafeHtml[] = [];
  if (handle && (state === 'verified' || state === 'awaiting_documents')) {
    actions.push(form('confirm-identity', t(lang, '本人確認（代理権）書類の確認', 'Confirm identity / agency documents'), html`<p class="muted">${t(lang, '添付書類で本人（代理人の場合は代理権）を確認できたら記録します。回答期限はここから数えます。', 'Record that the documents confirm the person (and the agent’s authority). The deadline runs from here.')}</p>
<div><label for="identity-note">${t(lang, '確認した内容（記録用。申告された識別子も確認する場合は必須）', 'What you checked (required when also confirming claimed identifiers)')}</label><input id="identity-note" name="note" maxlength="500"></div>
${claimCheckboxes(v, lang)}`, t(lang, '確認済みにする', 'Mark as confirmed')));
  }
  if (handle && ['verified', 'awaiting_payment', 'in_progress'].includes(state)) {
    actions.push(form('request-documents', t(lang, '書類の提出を依頼する', 'Ask for documents'), html`<div><label for="what">${t(lang, '依頼する書類と理由', 'Which documents, and why')}</label><textarea id="what" name="what" rows="3" required maxlength="2000"></textarea></div>`, t(lang, '依頼を送る', 'Send the request')));
  }
  if (handle && v.fee && !v.fee.paid && ['verified', 'awaiting_documents', 'awaiting_payment'].includes(state)) {
    const methods = proc?.fee?.payment ?? ['bank_transfer'];
    actions.push(form('mark-paid', t(lang, `手数料の入金を記録（${v.fee.amount.toLocaleString('en-US')}円）`, `Record the fee payment (¥${v.fee.amount.toLocaleString('en-US')})`), html`<div><label for="pay-method">${t(lang, '支払方法', 'Method')}</label><select id="pay-method" name="method">${methods.map((m) => html`<option value="${m}">${paymentLabels[m][lang]}</option>`)}</select></div>
<div><label for="pay-reference">${t(lang, '照合番号（振込名義・決済番号など）', 'Reference (transfer name, payment id …)')}</label><input id="pay-reference" name="reference" required maxlength="200"></div>
<div><label for="pay-amount">${t(lang, '入金額（円）', 'Amount (JPY)')}</label><input id="pay-amount" name="amount" inputmode="numeric" value="${v.fee.amount}"></div>`, t(lang, '入金済みにする', 'Mark as paid')));
  }
  if (handle && state === 'awaiting_payment' && v.fee && !v.fee.paid) {
    // Without an email (a request by post), the fee is asked for by letter: staff print it and post it.
    actions.push(form('payment-letter', t(lang, '手数料のご案内（書面）を印刷する', 'Print the fee letter'), html`<p class="${v.email ? 'muted' : 'notice'}">${v.email ? t(lang, 'ご案内はメールでお送りしています。郵送もする場合に印刷します。', 'The instructions went by email; print this to post them as well.') : t(lang, 'メールアドレスがないため、お支払いのご案内は届いていません。書面を印刷して郵送してください。', 'There is no email, so the payment instructions have not reached the requester: print the letter and post it.')}</p>
<div><label for="letter-name">${t(lang, '宛名（氏名）', 'Addressee (name)')}</label><input id="letter-name" name="addressee_name" maxlength="500" value="${v.agentApplication?.name ?? ''}"></div>
<div><label for="letter-address">${t(lang, '宛先の住所', 'Addressee’s postal address')}</label><textarea id="letter-address" name="addressee_address" rows="2" maxlength="500"></textarea></div>`, t(lang, '書面を開く', 'Open the letter')));
  }
  if (handle && state === 'in_progress') {
    actions.push(form('gather', t(lang, 'データを手入力で追加', 'Add data by hand'), html`<div><label for="gather-title">${t(lang, '見出し（システム名など）', 'Heading (system name …)')}</label><input id="gather-title" name="title" required maxlength="200"></div>
<div><label for="gather-rows">${t(lang, '内容（1行に「項目: 値」）', 'Content (one "item: value" per line)')}</label><textarea id="gather-rows" name="rows" rows="4" required maxlength="100000"></textarea></div>`, t(lang, '追加する', 'Add')));
    actions.push(form('gather-file', t(lang, 'ファイルを追加（エクスポートなど）', 'Add a file (an export …)'), html`<div><label for="gather-file">${t(lang, 'ファイル（PDF・PNG・JPEG、またはCSV・JSONのエクスポート）', 'File (PDF, PNG, JPEG, or a CSV/JSON export)')}</label><input id="gather-file" name="file" type="file" required accept="application/pdf,image/png,image/jpeg,.csv,text/csv,.json,application/json"></div>`, t(lang, 'アップロード', 'Upload'), { multipart: true }));
    actions.push(form('gather-systems', t(lang, '連携システムから収集', 'Gather from connected systems'), opts.hasGraph
      ? html`<p class="muted">${t(lang, 'コネクタ・同意記録・提供記録から、この方のデータを集めます。結果の件数はこの画面に表示されます。', 'Collects this person’s data from connectors, consent receipts and provision records. The page then says how much was found.')}</p>`
      : html`<p class="notice">${t(lang, 'データセットグラフ（datasets.yaml）が設定されていないため、サービスのデータベースからは収集できません。ここで集めるのは同意の記録と第三者提供の記録だけです。データベースの内容は、上の手入力またはファイルで追加してください（設定方法: serve --graph または MAMORI_GRAPH）。', 'No dataset graph (datasets.yaml) is configured, so nothing can be gathered from the service’s databases: this collects consent and provision records only. Add database contents by hand or as a file above (configure with serve --graph or MAMORI_GRAPH).')}</p>`, opts.hasGraph ? t(lang, '収集する', 'Gather') : t(lang, '同意・提供の記録だけを収集する', 'Gather consent and provision records only')));
  }
  if (decide && state === 'in_progress') actions.push(decisionForm(request, policy, v, form));
  if (handle && state === 'decided') {
    actions.push(form('deliver', t(lang, 'お届けする', 'Deliver'), html`<p>${v.delivery === 'paper' || (d?.methodChange?.to === 'paper') ? t(lang, '書面（郵送）でお届けします。送付後、書面を印刷して郵送してください。', 'Delivered as a paper letter: print it and post it.') : v.email ? t(lang, '開示データ（ZIP）を作成し、ダウンロードのご案内をメールでお送りします。', 'Builds the ZIP package and mails the download link.') : t(lang, 'メールアドレスがないため、書面でお届けします。', 'No email: delivered as a letter.')}</p>`, t(lang, 'お届けする', 'Deliver'), { confirm: t(lang, 'お届けすると取り消せません。決定内容と収集したデータを確認しました。', 'Delivery cannot be undone. I have checked the decision and the gathered data.') }));
  }
  if (handle && (state === 'delivered' || state === 'notified')) actions.push(form('close', t(lang, '完了にする', 'Close'), html``, t(lang, '完了にする', 'Close')));
  if (handle && ['awaiting_verification', 'verified', 'awaiting_documents'].includes(state)) {
    actions.push(form('reject', t(lang, '本人確認ができないため終了する（37条）', 'End: identity could not be confirmed (art. 37)'), html`<div><label for="reject-reason">${t(lang, '理由（請求者に通知されます）', 'Reason (sent to the requester)')}</label><textarea id="reject-reason" name="reason" rows="2" required maxlength="2000"></textarea></div>`, t(lang, '終了する', 'End the request'), { id: 'reject', confirm: t(lang, '終了すると元に戻せず、請求者に通知されます。', 'Ending cannot be undone; the requester is notified.') }));
  }
  if (handle && ['awaiting_verification', 'verified', 'awaiting_payment', 'awaiting_documents', 'in_progress'].includes(state)) {
    actions.push(form('documents', t(lang, '書類を追加する', 'Attach documents'), html`<div><label for="attach-purpose">${t(lang, '書類の種類', 'Kind of document')}</label><select id="attach-purpose" name="purpose"><option value="identity_document">${t(lang, '本人確認書類', 'Identity document')}</option><option value="agent_proof">${t(lang, '代理権の証明書類', 'Agent proof')}</option><option value="request_form">${t(lang, '請求書', 'Request form')}</option><option value="other">${t(lang, 'その他', 'Other')}</option></select></div>
<div><label for="attach-file">${t(lang, 'ファイル', 'File')}</label><input id="attach-file" name="file" type="file" required accept="application/pdf,image/png,image/jpeg"></div>`, t(lang, '添付する', 'Attach'), { multipart: true }));
  }

  return html`${consoleStyle()}<h1>${kindName(v.kind, lang)} <small class="muted">${v.id}</small></h1>
${messageBox(message)}
<p><strong>${requestStateInfo[state].label[lang]}</strong> · ${deadlineCell(lang, v.deadline, state)}</p>
<p class="muted">${t(lang, 'この画面の表示は、閲覧記録として請求の履歴と監査ログに残ります。', 'Opening this page is recorded in the request timeline and the audit log.')}</p>
<h2>${t(lang, '請求の内容', 'The request')}</h2>
${dl([
  [t(lang, '受付経路', 'Channel'), channelLabel(policy, v.channel, lang)],
  [t(lang, '受付日時', 'Received'), formatTime(v.createdAt, lang)],
  [t(lang, '言語', 'Language'), v.lang === 'ja' ? '日本語' : 'English'],
  [t(lang, 'メールアドレス', 'Email'), v.email ?? t(lang, '（なし：書面で通知）', '(none: answer by letter)')],
  [t(lang, 'アカウントID（申告）', 'Account id (claimed)'), v.accountId],
  [t(lang, '内容', 'Description'), html`<span class="wrap">${v.description}</span>`],
  [t(lang, 'ご本人が挙げた理由（35条）', 'Conditions named (Art. 35)'), v.grounds.length > 0 ? html`<ul>${v.grounds.map((g) => html`<li>${suspensionGrounds[g].label[lang]}（${suspensionGrounds[g].article}）</li>`)}</ul>` : null],
  [t(lang, '開示の方法', 'Delivery'), v.delivery ? deliveryLabels[v.delivery][lang] : null],
  [t(lang, '代理人', 'Agent'), v.agentApplication ? `${agentKindLabels[v.agentApplication.kind][lang]} / ${v.agentApplication.name} / ${v.agentApplication.relationship}` : null],
  [t(lang, 'メール確認', 'Email confirmed by'), v.verifiedVia ? (verifiedViaLabels[v.verifiedVia]?.[lang] ?? t(lang, 'その他', 'Other')) : null],
  [t(lang, '本人確認', 'Identity confirmed'), v.identityConfirmedAt ? formatTime(v.identityConfirmedAt, lang) : t(lang, '未確認', 'not yet')],
  [t(lang, '手数料', 'Fee'), v.fee ? `${v.fee.amount.toLocaleString('en-US')}${t(lang, '円', ' JPY')} ${v.fee.paid ? t(lang, `入金済（${payment(v.feePayment.method, lang)}${v.feePayment.reference ? `・照合番号 ${v.feePayment.reference}` : ''}）`, `paid (${payment(v.feePayment.method, lang)}${v.feePayment.reference ? `, reference ${v.feePayment.reference}` : ''})`) : t(lang, '未入金', 'unpaid')}` : null],
  // The digits the person was asked to type before their name: how a bank transfer's 振込名義 is matched to this request.
  [t(lang, 'お支払い番号', 'Payment reference'), v.payment?.reference ? html`<strong class="payment-reference">${v.payment.reference}</strong> <span class="muted">${t(lang, '（振込名義の先頭、または決済ページで入力される8桁の番号）', '(the 8 digits the person types before their name on a bank transfer, or on the payment page)')}</span>` : null],
  [t(lang, 'お支払い期限', 'Payment due'), v.payment?.dueAt && !v.payment.paid ? t(lang, `${formatDay(v.payment.dueAt, lang)}まで（過ぎると請求は終了します）`, `${formatDay(v.payment.dueAt, lang)} (the request lapses after this day)`) : null],
])}
${identitySection(v, { lang, canConfirm: handle && allowedFrom.confirm_claim.includes(state), formatTime: (iso) => formatTime(iso, lang), who: (a) => actorLabel(a, lang, staffNames), form })}
<h2>${t(lang, '書類', 'Documents')}</h2>
${v.files.length === 0 ? html`<p class="muted">${t(lang, '添付書類はありません。', 'No documents.')}</p>` : html`<ul>${v.files.map((f) => html`<li><a href="${base}/files/${f.id}">${fileLabel(f.purpose, f.proofKind, lang)}: <bdi>${cleanFilename(f.filename)}</bdi></a> <span class="muted">(${Math.ceil(f.size / 1024)} KB, ${formatTime(f.createdAt, lang)})</span></li>`)}</ul>`}
<p><a href="${base}/systems">${t(lang, 'システムごとの処理状況（コネクタ・手作業のタスク）', 'Systems: connector runs and manual tasks')}</a></p>
${v.gathered.length > 0 || v.files.some((f) => f.purpose === 'gathered') ? html`<h2>${t(lang, '収集したデータ', 'Gathered data')}</h2><ul>${v.gathered.map((g) => html`<li>${g.title[lang]} <span class="muted">${t(lang, `（${gatheredSourceLabel(g.source, lang)}・${g.rowCount}行）`, `(${gatheredSourceLabel(g.source, lang)}, ${g.rowCount} rows)`)}</span></li>`)}</ul>
<p><a href="${base}/gathered">${t(lang, '収集したデータの内容を確認する（開示前の確認）', 'Review the gathered data (before deciding)')}</a></p>` : ''}
${d ? html`<h2>${t(lang, '決定', 'Decision')}</h2>${dl([
  [t(lang, '結果', 'Outcome'), outcomeLabels[d.outcome][lang]],
  [t(lang, '根拠', 'Ground'), d.ground ? `${articleName(refusalGrounds[d.ground].article, lang)} ${refusalGrounds[d.ground].label[lang]}` : null],
  [t(lang, '理由', 'Reason'), d.reason ? html`<span style="white-space:pre-wrap">${d.reason}</span>` : null],
  [t(lang, '訂正内容', 'Corrections'), d.corrections.length > 0 ? html`<ul>${d.corrections.map((c) => html`<li>${c.field}: ${JSON.stringify(c.before)} → ${JSON.stringify(c.after)}</li>`)}</ul>` : null],
  [t(lang, '認めた理由（35条）', 'Condition found (Art. 35)'), d.acceptedGround ? `${suspensionGrounds[d.acceptedGround].label[lang]}（${suspensionGrounds[d.acceptedGround].article}）` : null],
  [t(lang, '措置', 'Measure'), d.measure ? `${suspensionMeasures[d.measure].label[lang]}${d.measureNote ? ` (${d.measureNote})` : ''}` : null],
  [t(lang, '代替措置', 'Alternative measure'), d.alternativeMeasure],
  [t(lang, '方法の変更（33条3項）', 'Method changed (33(3))'), d.methodChange ? `${deliveryLabels[d.methodChange.to][lang]}: ${d.methodChange.reason}` : null],
  [t(lang, '決定日時', 'Decided'), formatTime(d.decidedAt, lang)],
])}<p><a href="${base}/letter">${t(lang, '通知書（印刷用）を開く', 'Open the printable letter')}</a></p>` : ''}
${v.packages.length > 0 ? html`<h2>${t(lang, 'お届け', 'Deliveries')}</h2><ul>${v.packages.map((p) => html`<li>${packageFormatLabels[p.format]?.[lang] ?? t(lang, 'その他', 'Other')} · ${formatTime(p.createdAt, lang)}${p.expiresAt ? ` · ${t(lang, '期限', 'expires')} ${formatTime(p.expiresAt, lang)}` : ''} · ${t(lang, `ダウンロード${p.downloads}回`, `${p.downloads} download(s)`)}</li>`)}</ul>` : ''}
${opts.extra ?? ''}
<h2>${t(lang, '対応', 'Actions')}</h2>
${actions.length === 0 ? html`<p class="muted">${role && !can(role, 'requests.handle') ? t(lang, 'ご担当の権限では閲覧のみ可能です。', 'Your role can only read.') : t(lang, 'この状態で行える対応はありません。', 'Nothing to do in this state.')}</p>` : html`<div class="actions">${actions}</div>`}
<h2>${t(lang, '履歴', 'Timeline')}</h2>
<table><thead><tr><th scope="col">#</th><th scope="col">${t(lang, '日時', 'When')}</th><th scope="col">${t(lang, '実施者', 'Who')}</th><th scope="col">${t(lang, '内容', 'What')}</th><th scope="col">${t(lang, '詳細', 'Details')}</th></tr></thead>
<tbody>${v.timeline.map((e) => html`<tr><td>${e.n}</td><td>${formatTime(e.at, lang)}</td><td>${actorLabel(e.actor, lang, staffNames)}</td><td>${timelineActionLabels[e.action]?.[lang] ?? t(lang, 'その他の記録', 'Other entry')}</td><td><small>${timelineDetails(e.data, lang, policy, staffNames)}</small></td></tr>`)}</tbody></table>`;
}

/** Who did it, readable: staff by their email (staff accounts are not the requester's personal data), others by role. */
export function actorLabel(actor: string, lang: Lang, staffNames: ReadonlyMap<string, string>): string {
  const [kind, id] = actor.split(':', 2);
  if (kind === 'staff' && id) return staffNames.get(id) ?? actor;
  if (kind === 'requester') return t(lang, '請求者', 'Requester');
  if (kind === 'apikey') return t(lang, `APIキー ${id ?? ''}`, `API key ${id ?? ''}`);
  if (actor === 'system') return t(lang, 'システム', 'System');
  return actor;
}

function decisionForm(request: FastifyRequest, policy: Policy, v: StaffRequestView, form: (action: string, title: string, inner: SafeHtml, button: string, opts?: { confirm?: string }) => SafeHtml): SafeHtml {
  const lang = consoleLang(request);
  const outcomes: Array<keyof typeof outcomeLabels> = v.kind === 'suspension' || v.kind === 'stop_provision' ? ['full', 'partial', 'refused', 'alternative'] : ['full', 'partial', 'refused'];
  const measures = (Object.keys(suspensionMeasures) as SuspensionMeasure[]).filter((m) => suspensionMeasures[m].kinds.includes(v.kind));
  const operatorGrounds = policy.requests.kinds[v.kind]?.operator_grounds ?? [];
  const inner = html`<fieldset><legend>${t(lang, '結果', 'Outcome')}</legend>
${outcomes.map((o, i) => html`<div><input type="radio" id="outcome-${o}" name="outcome" value="${o}" style="width:auto"${i === 0 ? html` checked` : ''}> <label for="outcome-${o}" style="font-weight:400">${outcomeLabels[o][lang]}</label></div>`)}
</fieldset>
<div><label for="ground">${t(lang, '法令上の根拠（一部対応・不対応・代替措置のとき必須）', 'Statutory ground (required unless full)')}</label>
<select id="ground" name="ground"><option value="">${t(lang, '（全部対応のときは不要）', '(not needed for full)')}</option>${v.allowedGrounds.map((g) => html`<option value="${g}">${articleName(refusalGrounds[g].article, lang)} ${refusalGrounds[g].label[lang]}</option>`)}</select>
${operatorGrounds.length > 0 ? html`<p class="muted">${t(lang, 'ポリシーに定める具体例: ', 'Cases in our policy: ')}${operatorGrounds.map((g) => localize(g, lang)).join(t(lang, '／', ' / '))}</p>` : ''}</div>
<div><label for="reason">${t(lang, '理由（36条：請求者に通知されます）', 'Reason (art. 36: sent to the requester)')}</label><textarea id="reason" name="reason" rows="3" maxlength="5000"></textarea></div>
${v.kind === 'correction'
  ? html`<fieldset><legend>${t(lang, '訂正等の内容（変更した項目）', 'What changed')}</legend>
${[1, 2, 3].map((i) => html`<div class="triple">
<div><label for="c${i}-field">${t(lang, `項目${i}`, `Item ${i}`)}</label><input id="c${i}-field" name="c${i}_field" maxlength="200"></div>
<div><label for="c${i}-before">${t(lang, '訂正前', 'Before')}</label><input id="c${i}-before" name="c${i}_before" maxlength="2000"></div>
<div><label for="c${i}-after">${t(lang, '訂正後', 'After')}</label><input id="c${i}-after" name="c${i}_after" maxlength="2000"></div></div>`)}
</fieldset>`
  : ''}
${measures.length > 0
  ? html`${suspensionGroundsFor(v.kind).length > 0 ? html`<div><label for="accepted_ground">${t(lang, '認めた請求の理由（35条、任意）', 'The Art. 35 condition found (optional)')}</label><select id="accepted_ground" name="accepted_ground"><option value="">—</option>${suspensionGroundsFor(v.kind).map((g) => html`<option value="${g}"${v.grounds.includes(g) ? html` data-named="1"` : ''}>${suspensionGrounds[g].label[lang]}${v.grounds.includes(g) ? t(lang, '（ご本人の申出）', ' (named by the person)') : ''}</option>`)}</select></div>` : ''}
<div><label for="measure">${t(lang, '実施した措置', 'Measure taken')}</label><select id="measure" name="measure"><option value="">—</option>${measures.map((m) => html`<option value="${m}">${suspensionMeasures[m].label[lang]}</option>`)}</select></div>
<div><label for="measure_note">${t(lang, '措置の内容（任意）', 'Details of the measure (optional)')}</label><input id="measure_note" name="measure_note" maxlength="2000"></div>
<div><label for="alternative_measure">${t(lang, '代替措置の内容（代替措置のとき必須）', 'Alternative measure (required for an alternative)')}</label><textarea id="alternative_measure" name="alternative_measure" rows="2" maxlength="2000"></textarea></div>`
  : ''}
${v.kind === 'disclosure'
  ? html`<fieldset><legend>${t(lang, 'ご指定の方法が困難な場合（33条3項）', 'If the chosen method is not feasible (33(3))')}</legend>
<div><label for="method_change_to">${t(lang, '代わりの方法', 'Method used instead')}</label><select id="method_change_to" name="method_change_to"><option value="">${t(lang, '変更なし', 'No change')}</option><option value="paper">${deliveryLabels.paper[lang]}</option><option value="electronic">${deliveryLabels.electronic[lang]}</option></select></div>
<div><label for="method_change_reason">${t(lang, '変更の理由', 'Why')}</label><input id="method_change_reason" name="method_change_reason" maxlength="2000"></div></fieldset>`
  : ''}`;
  return form('decide', t(lang, '決定する', 'Decide'), inner, t(lang, '決定を記録して通知する', 'Record and notify the decision'), { confirm: t(lang, '決定は記録後に変更できず、請求者に通知されます。内容を確認しました。', 'A recorded decision cannot be changed and the requester is notified. I have checked it.') });
}
