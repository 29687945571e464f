import type { FastifyRequest } from 'fastify';
import type { Policy } from '../policy/schema.ts';
import { localize } from '../policy/load-policy.ts';
import { refusalGrounds } from '../law/appi/refusal-grounds.ts';
import { allowedFrom, requestStateInfo, type RequestState } from '../requests/request-state.ts';
import { isAgentProof, suspensionMeasures, type StaffRequestView, type SuspensionMeasure } from '../requests/request-service.ts';
import { can } from '../staff/staff-permissions.ts';
import { html, type SafeHtml } from '../html/html.ts';
import type { Lang } from '../html/layout.ts';
import { consoleLang, csrfField, csrfQuery } from './staff-auth.ts';
import { claimCheckboxes, identitySection } from './console-identity-section.ts';
import { cleanFilename } from '../requests/request-uploads.ts';
import { agentKindLabels, agentProofLabels, deliveryLabels, kindName, paymentLabels } from './request-labels.ts';
import { t, formatTime, messageBox, consoleStyle, type ConsoleMessage } from './console-page-parts.ts';
import { deadlineCell, channelLabel } from './console-queue-page.ts';

/** One request for staff: its state, events, documents, and the form of each next step. */
const actionLabels: Record<string, { ja: string; en: string }> = {
  filed: { ja: '受付（ウェブ）', en: 'Filed online' },
  entered: { ja: '受付（スタッフ登録）', en: 'Entered by staff' },
  code_resent: { ja: '確認コード再送', en: 'Code sent again' },
  email_verified: { ja: 'メールアドレス確認', en: 'Email confirmed' },
  state_changed: { ja: '状態の変更', en: 'State changed' },
  identity_confirmed: { ja: '本人確認完了', en: 'Identity confirmed' },
  claim_confirmed: { ja: '申告された識別子を書類で確認', en: 'Claimed identifier confirmed from documents' },
  identity_resolved: { ja: '識別子をシステムで照合', en: 'Identifiers checked against the systems' },
  documents_requested: { ja: '書類の提出依頼', en: 'Documents requested' },
  documents_attached: { ja: '書類の添付（スタッフ）', en: 'Documents attached by staff' },
  documents_received: { ja: '書類の受領（請求者から）', en: 'Documents received from the requester' },
  fee_paid: { ja: '手数料の入金', en: 'Fee paid' },
  data_gathered: { ja: 'データの手入力', en: 'Data entered by hand' },
  file_gathered: { ja: 'ファイルの収集', en: 'File gathered' },
  systems_gathered: { ja: '連携システムからの収集', en: 'Gathered from systems' },
  decided: { ja: '決定', en: 'Decided' },
  delivered: { ja: 'お届け', en: 'Delivered' },
  package_downloaded: { ja: 'ダウンロード（請求者）', en: 'Downloaded by the requester' },
  closed: { ja: '完了', en: 'Closed' },
  withdrawn: { ja: '取り下げ', en: 'Withdrawn' },
  rejected_unverified: { ja: '本人確認ができず終了', en: 'Ended: identity not confirmed' },
  viewed: { ja: '閲覧（スタッフ）', en: 'Viewed by staff' },
  file_viewed: { ja: '添付ファイルの閲覧', en: 'File opened' },
  letter_viewed: { ja: '書面の表示', en: 'Letter opened' },
  gathered_viewed: { ja: '収集データの閲覧（スタッフ）', en: 'Gathered data viewed by staff' },
  hook_failed: { ja: '連携処理の失敗', en: 'Integration failed' },
};

function dataSummary(data: Record<string, unknown>): string {
  return Object.entries(data)
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ')
    .slice(0, 300);
}

function dl(rows: Array<[string, SafeHtml | string | null | undefined]>): SafeHtml {
  return html`<table><tbody>${rows.filter(([, v]) => v !== null && v !== undefined && v !== '').map(([k, v]) => html`<tr><th scope="row" style="width:12em">${k}</th><td>${v}</td></tr>`)}</tbody></table>`;
}

function fileLabel(purpose: string, proofKind: string | null, lang: Lang): string {
  const purposes: Record<string, { ja: string; en: string }> = {
    request_form: { ja: '請求書', en: 'Request form' },
    identity_document: { ja: '本人確認書類', en: 'Identity document' },
    agent_proof: { ja: '代理権の証明書類', en: 'Agent proof' },
    gathered: { ja: '収集データ', en: 'Gathered file' },
    other: { ja: 'その他', en: 'Other' },
  };
  const proof = proofKind && isAgentProof(proofKind) ? agentProofLabels[proofKind][lang] : null;
  return proof ?? purposes[purpose]?.[lang] ?? purpose;
}

/** One request: facts, documents, actions allowed in its state and by the viewer's role, and the full timeline. */
export function requestBody(request: FastifyRequest, policy: Policy, v: StaffRequestView, message?: ConsoleMessage, staffNames: ReadonlyMap<string, string> = new Map()): SafeHtml {
  const lang = consoleLang(request);
  const role = request.staff?.role;
  const handle = role !== undefined && can(role, 'requests.handle');
  const decide = role !== undefined && can(role, 'requests.decide');
  const base = `/console/requests/${v.id}`;
  const state: RequestState = v.state;
  const proc = policy.requests.kinds[v.kind];
  const d = v.decision;
  const form = (action: string, title: string, inner: SafeHtml, button: string, opts: { multipart?: boolean; id?: string } = {}) =>
    html`<form method="post" action="${base}/${action}${opts.multipart ? html`?${csrfQuery(request)}` : ''}"${opts.multipart ? html` enctype="multipart/form-data"` : ''} class="stack" style="max-width:none" aria-labelledby="${opts.id ?? action}-heading">
${csrfField(request)}<h3 id="${opts.id ?? action}-heading" style="margin-top:0">${title}</h3>${inner}<div><button type="submit">${button}</button></div></form>`;

  const actions: SafeHtml[] = [];
  if (handle && (state === 'verified' || state === 'awaiting_documents')) {
    actions.push(form('confirm-identity', t(lang, '本人確認（代理権）書類の確認', 'Confirm identity / agency documents'), html`<p class="muted">${t(lang, '添付書類で本人（代理人の場合は代理権）を確認できたら記録します。回答期限はここから数えます。', 'Record that the documents confirm the person (and the agent’s authority). The deadline runs from here.')}</p>
<div><label for="identity-note">${t(lang, '確認した内容（記録用。申告された識別子も確認する場合は必須）', 'What you checked (required when also confirming claimed identifiers)')}</label><input id="identity-note" name="note" maxlength="500"></div>
${claimCheckboxes(v, lang)}`, t(lang, '確認済みにする', 'Mark as confirmed')));
  }
  if (handle && ['verified', 'awaiting_payment', 'in_progress'].includes(state)) {
    actions.push(form('request-documents', t(lang, '書類の提出を依頼する', 'Ask for documents'), html`<div><label for="what">${t(lang, '依頼する書類と理由', 'Which documents, and why')}</label><textarea id="what" name="what" rows="3" required></textarea></div>`, t(lang, '依頼を送る', 'Send the request')));
  }
  if (handle && v.fee && !v.fee.paid && ['verified', 'awaiting_documents', 'awaiting_payment'].includes(state)) {
    const methods = proc?.fee?.payment ?? ['bank_transfer'];
    actions.push(form('mark-paid', t(lang, `手数料の入金を記録（${v.fee.amount.toLocaleString('en-US')}円）`, `Record the fee payment (¥${v.fee.amount.toLocaleString('en-US')})`), html`<div><label for="pay-method">${t(lang, '支払方法', 'Method')}</label><select id="pay-method" name="method">${methods.map((m) => html`<option value="${m}">${paymentLabels[m][lang]}</option>`)}</select></div>
<div><label for="pay-reference">${t(lang, '照合番号（振込名義・決済番号など）', 'Reference (transfer name, payment id …)')}</label><input id="pay-reference" name="reference" required maxlength="200"></div>
<div><label for="pay-amount">${t(lang, '入金額（円）', 'Amount (JPY)')}</label><input id="pay-amount" name="amount" inputmode="numeric" value="${v.fee.amount}"></div>`, t(lang, '入金済みにする', 'Mark as paid')));
  }
  if (handle && state === 'in_progress') {
    actions.push(form('gather', t(lang, 'データを手入力で追加', 'Add data by hand'), html`<div><label for="gather-title">${t(lang, '見出し（システム名など）', 'Heading (system name …)')}</label><input id="gather-title" name="title" required maxlength="200"></div>
<div><label for="gather-rows">${t(lang, '内容（1行に「項目: 値」）', 'Content (one "item: value" per line)')}</label><textarea id="gather-rows" name="rows" rows="4" required></textarea></div>`, t(lang, '追加する', 'Add')));
    actions.push(form('gather-file', t(lang, 'ファイルを追加（エクスポートなど）', 'Add a file (an export …)'), html`<div><label for="gather-file">${t(lang, 'ファイル（PDF・PNG・JPEG）', 'File (PDF, PNG, JPEG)')}</label><input id="gather-file" name="file" type="file" required accept="application/pdf,image/png,image/jpeg"></div>`, t(lang, 'アップロード', 'Upload'), { multipart: true }));
    actions.push(form('gather-systems', t(lang, '連携システムから収集', 'Gather from connected systems'), html`<p class="muted">${t(lang, 'コネクタ・同意記録・提供記録から、この方のデータを集めます。', 'Collects this person’s data from connectors, consent receipts and provision records.')}</p>`, t(lang, '収集する', 'Gather')));
  }
  if (decide && state === 'in_progress') actions.push(decisionForm(request, policy, v, form));
  if (handle && state === 'decided') {
    actions.push(form('deliver', t(lang, 'お届けする', 'Deliver'), html`<p>${v.delivery === 'paper' || (d?.methodChange?.to === 'paper') ? t(lang, '書面（郵送）でお届けします。送付後、書面を印刷して郵送してください。', 'Delivered as a paper letter: print it and post it.') : v.email ? t(lang, '開示データ（ZIP）を作成し、ダウンロードのご案内をメールでお送りします。', 'Builds the ZIP package and mails the download link.') : t(lang, 'メールアドレスがないため、書面でお届けします。', 'No email: delivered as a letter.')}</p>`, t(lang, 'お届けする', 'Deliver')));
  }
  if (handle && (state === 'delivered' || state === 'notified')) actions.push(form('close', t(lang, '完了にする', 'Close'), html``, t(lang, '完了にする', 'Close')));
  if (handle && ['awaiting_verification', 'verified', 'awaiting_documents'].includes(state)) {
    actions.push(form('reject', t(lang, '本人確認ができないため終了する（37条）', 'End: identity could not be confirmed (art. 37)'), html`<div><label for="reject-reason">${t(lang, '理由（請求者に通知されます）', 'Reason (sent to the requester)')}</label><textarea id="reject-reason" name="reason" rows="2" required></textarea></div>`, t(lang, '終了する', 'End the request'), { id: 'reject' }));
  }
  if (handle && ['awaiting_verification', 'verified', 'awaiting_payment', 'awaiting_documents', 'in_progress'].includes(state)) {
    actions.push(form('documents', t(lang, '書類を追加する', 'Attach documents'), html`<div><label for="attach-purpose">${t(lang, '書類の種類', 'Kind of document')}</label><select id="attach-purpose" name="purpose"><option value="identity_document">${t(lang, '本人確認書類', 'Identity document')}</option><option value="agent_proof">${t(lang, '代理権の証明書類', 'Agent proof')}</option><option value="request_form">${t(lang, '請求書', 'Request form')}</option><option value="other">${t(lang, 'その他', 'Other')}</option></select></div>
<div><label for="attach-file">${t(lang, 'ファイル', 'File')}</label><input id="attach-file" name="file" type="file" required accept="application/pdf,image/png,image/jpeg"></div>`, t(lang, '添付する', 'Attach'), { multipart: true }));
  }

  return html`${consoleStyle()}<h1>${kindName(v.kind, lang)} <small class="muted">${v.id}</small></h1>
${messageBox(message)}
<p><strong>${requestStateInfo[state].label[lang]}</strong> · ${deadlineCell(lang, v.deadline)}</p>
<p class="muted">${t(lang, 'この画面の表示は、閲覧記録として請求の履歴と監査ログに残ります。', 'Opening this page is recorded in the request timeline and the audit log.')}</p>
<h2>${t(lang, '請求の内容', 'The request')}</h2>
${dl([
  [t(lang, '受付経路', 'Channel'), channelLabel(policy, v.channel, lang)],
  [t(lang, '受付日時', 'Received'), formatTime(v.createdAt, lang)],
  [t(lang, '言語', 'Language'), v.lang === 'ja' ? '日本語' : 'English'],
  [t(lang, 'メールアドレス', 'Email'), v.email ?? t(lang, '（なし：書面で通知）', '(none: answer by letter)')],
  [t(lang, 'アカウントID（申告）', 'Account id (claimed)'), v.accountId],
  [t(lang, '内容', 'Description'), html`<span style="white-space:pre-wrap">${v.description}</span>`],
  [t(lang, '開示の方法', 'Delivery'), v.delivery ? deliveryLabels[v.delivery][lang] : null],
  [t(lang, '代理人', 'Agent'), v.agentApplication ? `${agentKindLabels[v.agentApplication.kind][lang]} / ${v.agentApplication.name} / ${v.agentApplication.relationship}` : null],
  [t(lang, 'メール確認', 'Email confirmed by'), v.verifiedVia ? (verifiedViaLabels[v.verifiedVia]?.[lang] ?? v.verifiedVia) : null],
  [t(lang, '本人確認', 'Identity confirmed'), v.identityConfirmedAt ? formatTime(v.identityConfirmedAt, lang) : t(lang, '未確認', 'not yet')],
  [t(lang, '手数料', 'Fee'), v.fee ? `${v.fee.amount.toLocaleString('en-US')}${t(lang, '円', ' JPY')} ${v.fee.paid ? t(lang, `入金済（${v.feePayment.method ?? ''} ${v.feePayment.reference ?? ''}）`, `paid (${v.feePayment.method ?? ''} ${v.feePayment.reference ?? ''})`) : t(lang, '未入金', 'unpaid')}` : null],
])}
${identitySection(v, { lang, canConfirm: handle && allowedFrom.confirm_claim.includes(state), formatTime: (iso) => formatTime(iso, lang), who: (a) => actorLabel(a, lang, staffNames), form })}
<h2>${t(lang, '書類', 'Documents')}</h2>
${v.files.length === 0 ? html`<p class="muted">${t(lang, '添付書類はありません。', 'No documents.')}</p>` : html`<ul>${v.files.map((f) => html`<li><a href="${base}/files/${f.id}">${fileLabel(f.purpose, f.proofKind, lang)}: <bdi>${cleanFilename(f.filename)}</bdi></a> <span class="muted">(${Math.ceil(f.size / 1024)} KB, ${formatTime(f.createdAt, lang)})</span></li>`)}</ul>`}
<p><a href="${base}/systems">${t(lang, 'システムごとの処理状況（コネクタ・手作業のタスク）', 'Systems: connector runs and manual tasks')}</a></p>
${v.gathered.length > 0 || v.files.some((f) => f.purpose === 'gathered') ? html`<h2>${t(lang, '収集したデータ', 'Gathered data')}</h2><ul>${v.gathered.map((g) => html`<li>${g.title[lang]} <span class="muted">(${g.source}, ${t(lang, `${g.rowCount}行`, `${g.rowCount} rows`)})</span></li>`)}</ul>
<p><a href="${base}/gathered">${t(lang, '収集したデータの内容を確認する（開示前の確認）', 'Review the gathered data (before deciding)')}</a></p>` : ''}
${d ? html`<h2>${t(lang, '決定', 'Decision')}</h2>${dl([
  [t(lang, '結果', 'Outcome'), outcomeLabels[d.outcome][lang]],
  [t(lang, '根拠', 'Ground'), d.ground ? `${refusalGrounds[d.ground].article} ${refusalGrounds[d.ground].label[lang]}` : null],
  [t(lang, '理由', 'Reason'), d.reason ? html`<span style="white-space:pre-wrap">${d.reason}</span>` : null],
  [t(lang, '訂正内容', 'Corrections'), d.corrections.length > 0 ? html`<ul>${d.corrections.map((c) => html`<li>${c.field}: ${JSON.stringify(c.before)} → ${JSON.stringify(c.after)}</li>`)}</ul>` : null],
  [t(lang, '措置', 'Measure'), d.measure ? `${suspensionMeasures[d.measure].label[lang]}${d.measureNote ? ` (${d.measureNote})` : ''}` : null],
  [t(lang, '代替措置', 'Alternative measure'), d.alternativeMeasure],
  [t(lang, '方法の変更（33条3項）', 'Method changed (33(3))'), d.methodChange ? `${d.methodChange.to}: ${d.methodChange.reason}` : null],
  [t(lang, '決定日時', 'Decided'), formatTime(d.decidedAt, lang)],
])}<p><a href="${base}/letter">${t(lang, '通知書（印刷用）を開く', 'Open the printable letter')}</a></p>` : ''}
${v.packages.length > 0 ? html`<h2>${t(lang, 'お届け', 'Deliveries')}</h2><ul>${v.packages.map((p) => html`<li>${p.format} · ${formatTime(p.createdAt, lang)}${p.expiresAt ? ` · ${t(lang, '期限', 'expires')} ${formatTime(p.expiresAt, lang)}` : ''} · ${t(lang, `ダウンロード${p.downloads}回`, `${p.downloads} download(s)`)}</li>`)}</ul>` : ''}
<h2>${t(lang, '対応', 'Actions')}</h2>
${actions.length === 0 ? html`<p class="muted">${role && !can(role, 'requests.handle') ? t(lang, 'ご担当の権限では閲覧のみ可能です。', 'Your role can only read.') : t(lang, 'この状態で行える対応はありません。', 'Nothing to do in this state.')}</p>` : html`<div class="actions">${actions}</div>`}
<h2>${t(lang, '履歴', 'Timeline')}</h2>
<table><thead><tr><th scope="col">#</th><th scope="col">${t(lang, '日時', 'When')}</th><th scope="col">${t(lang, '実施者', 'Who')}</th><th scope="col">${t(lang, '内容', 'What')}</th><th scope="col">${t(lang, '詳細', 'Details')}</th></tr></thead>
<tbody>${v.timeline.map((e) => html`<tr><td>${e.n}</td><td>${formatTime(e.at, lang)}</td><td>${actorLabel(e.actor, lang, staffNames)}</td><td>${actionLabels[e.action]?.[lang] ?? e.action}</td><td><small>${dataSummary(e.data)}</small></td></tr>`)}</tbody></table>`;
}

const verifiedViaLabels: Record<string, { ja: string; en: string }> = {
  email_code: { ja: 'メールの確認コード', en: 'Email code' },
  app_assertion: { ja: 'サービスのログイン情報（署名付き）', en: 'Signed sign-in from the service' },
  staff: { ja: 'スタッフによる確認', en: 'Checked by staff' },
};

/** Who did it, readable: staff by their email (staff accounts are not the requester's personal data), others by role. */
export function actorLabel(actor: string, lang: Lang, staffNames: ReadonlyMap<string, string>): string {
  const [kind, id] = actor.split(':', 2);
  if (kind === 'staff' && id) return staffNames.get(id) ?? actor;
  if (kind === 'requester') return t(lang, '請求者', 'Requester');
  if (kind === 'apikey') return t(lang, `APIキー ${id ?? ''}`, `API key ${id ?? ''}`);
  if (actor === 'system') return t(lang, 'システム', 'System');
  return actor;
}

const outcomeLabels: Record<NonNullable<StaffRequestView['decision']>['outcome'], { ja: string; en: string }> = {
  full: { ja: '全部対応', en: 'Full' },
  partial: { ja: '一部対応', en: 'Partial' },
  refused: { ja: '不対応（拒否）', en: 'Refused' },
  alternative: { ja: '代替措置', en: 'Alternative measure' },
};

function decisionForm(request: FastifyRequest, policy: Policy, v: StaffRequestView, form: (action: string, title: string, inner: SafeHtml, button: string) => SafeHtml): SafeHtml {
  const lang = consoleLang(request);
  const outcomes: Array<keyof typeof outcomeLabels> = v.kind === 'suspension' || v.kind === 'stop_provision' ? ['full', 'partial', 'refused', 'alternative'] : ['full', 'partial', 'refused'];
  const measures = (Object.keys(suspensionMeasures) as SuspensionMeasure[]).filter((m) => suspensionMeasures[m].kinds.includes(v.kind));
  const operatorGrounds = policy.requests.kinds[v.kind]?.operator_grounds ?? [];
  const inner = html`<fieldset><legend>${t(lang, '結果', 'Outcome')}</legend>
${outcomes.map((o, i) => html`<div><input type="radio" id="outcome-${o}" name="outcome" value="${o}" style="width:auto"${i === 0 ? html` checked` : ''}> <label for="outcome-${o}" style="font-weight:400">${outcomeLabels[o][lang]}</label></div>`)}
</fieldset>
<div><label for="ground">${t(lang, '法令上の根拠（一部対応・不対応・代替措置のとき必須）', 'Statutory ground (required unless full)')}</label>
<select id="ground" name="ground"><option value="">${t(lang, '（全部対応のときは不要）', '(not needed for full)')}</option>${v.allowedGrounds.map((g) => html`<option value="${g}">${refusalGrounds[g].article} ${refusalGrounds[g].label[lang]}</option>`)}</select>
${operatorGrounds.length > 0 ? html`<p class="muted">${t(lang, 'ポリシーに定める具体例: ', 'Cases in our policy: ')}${operatorGrounds.map((g) => localize(g, lang)).join(t(lang, '／', ' / '))}</p>` : ''}</div>
<div><label for="reason">${t(lang, '理由（36条：請求者に通知されます）', 'Reason (art. 36: sent to the requester)')}</label><textarea id="reason" name="reason" rows="3"></textarea></div>
${v.kind === 'correction'
  ? html`<fieldset><legend>${t(lang, '訂正等の内容（変更した項目）', 'What changed')}</legend>
${[1, 2, 3].map((i) => html`<div style="display:grid;grid-template-columns:1fr 1fr 1fr;gap:8px">
<div><label for="c${i}-field">${t(lang, `項目${i}`, `Item ${i}`)}</label><input id="c${i}-field" name="c${i}_field"></div>
<div><label for="c${i}-before">${t(lang, '訂正前', 'Before')}</label><input id="c${i}-before" name="c${i}_before"></div>
<div><label for="c${i}-after">${t(lang, '訂正後', 'After')}</label><input id="c${i}-after" name="c${i}_after"></div></div>`)}
</fieldset>`
  : ''}
${measures.length > 0
  ? html`<div><label for="measure">${t(lang, '実施した措置', 'Measure taken')}</label><select id="measure" name="measure"><option value="">—</option>${measures.map((m) => html`<option value="${m}">${suspensionMeasures[m].label[lang]}</option>`)}</select></div>
<div><label for="measure_note">${t(lang, '措置の内容（任意）', 'Details of the measure (optional)')}</label><input id="measure_note" name="measure_note" maxlength="2000"></div>
<div><label for="alternative_measure">${t(lang, '代替措置の内容（代替措置のとき必須）', 'Alternative measure (required for an alternative)')}</label><textarea id="alternative_measure" name="alternative_measure" rows="2"></textarea></div>`
  : ''}
${v.kind === 'disclosure'
  ? html`<fieldset><legend>${t(lang, 'ご指定の方法が困難な場合（33条3項）', 'If the chosen method is not feasible (33(3))')}</legend>
<div><label for="method_change_to">${t(lang, '代わりの方法', 'Method used instead')}</label><select id="method_change_to" name="method_change_to"><option value="">${t(lang, '変更なし', 'No change')}</option><option value="paper">${deliveryLabels.paper[lang]}</option><option value="electronic">${deliveryLabels.electronic[lang]}</option></select></div>
<div><label for="method_change_reason">${t(lang, '変更の理由', 'Why')}</label><input id="method_change_reason" name="method_change_reason" maxlength="2000"></div></fieldset>`
  : ''}`;
  return form('decide', t(lang, '決定する', 'Decide'), inner, t(lang, '決定を記録して通知する', 'Record and notify the decision'));
}
