import type { FastifyRequest } from 'fastify';
import type { AgentProof, DeliveryMethod, Policy, RequestKind } from '../policy/schema.ts';
import { localize } from '../policy/load-policy.ts';
import { refusalGrounds } from '../law/appi/refusal-grounds.ts';
import { requestKindRules } from '../law/appi/request-kinds.ts';
import { requestStateInfo, requestStates, type RequestState } from '../requests/request-state.ts';
import { isAgentProof, suspensionMeasures, type ListFilters, type StaffGatheredView, type StaffRequestSummary, type StaffRequestView, type SuspensionMeasure } from '../requests/request-service.ts';
import { can } from '../staff/staff-permissions.ts';
import { html, type SafeHtml } from '../html/html.ts';
import type { Lang } from '../html/layout.ts';
import { consoleLang, csrfField, csrfQuery } from './staff-auth.ts';
import { cleanFilename } from '../requests/request-uploads.ts';
import { agentKindLabels, agentProofLabels, deliveryLabels, kindName, paymentLabels } from './request-labels.ts';

/** Console page bodies for the request workflow. The frame (navigation, sign-out) is renderConsolePage's. */

export interface ConsoleMessage {
  kind: 'error' | 'ok';
  text: string;
  code?: string;
}

function t(lang: Lang, ja: string, en: string): string {
  return lang === 'ja' ? ja : en;
}

/** Staff read times in Japan time, to the minute. */
export function formatTime(iso: string, lang: Lang): string {
  return new Intl.DateTimeFormat(lang === 'ja' ? 'ja-JP' : 'en-GB', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
}

function formatDay(iso: string, lang: Lang): string {
  return new Intl.DateTimeFormat(lang === 'ja' ? 'ja-JP' : 'en-GB', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));
}

export function messageBox(m: ConsoleMessage | undefined): SafeHtml {
  if (!m) return html``;
  return html`<div class="notice${m.kind === 'error' ? ' error' : ''}" role="${m.kind === 'error' ? 'alert' : 'status'}" id="message" tabindex="-1"${m.kind === 'error' ? html` autofocus` : ''}><p>${m.text}</p>${m.code ? html`<p class="muted"><small>${m.code}</small></p>` : ''}</div>`;
}


/** Kept for callers that render a console body outside the frame; the frame already carries the styles. */
export function consoleStyle(): SafeHtml {
  return html``;
}

function deadlineCell(lang: Lang, d: StaffRequestSummary['deadline']): SafeHtml {
  switch (d.status) {
    case 'not_started':
      return html`<span class="muted">${t(lang, '本人確認前', 'Not started')}</span>`;
    case 'paused':
      return html`<span class="badge paused">${t(lang, '停止中', 'On hold')}</span> ${d.remainingDays !== null ? t(lang, `残り${d.remainingDays}日`, `${d.remainingDays} days left`) : ''}`;
    case 'running':
      return html`${d.dueAt ? formatDay(d.dueAt, lang) : ''} <span class="muted">${d.remainingDays !== null ? t(lang, `（残り${d.remainingDays}日）`, `(${d.remainingDays} days left)`) : ''}</span>`;
    case 'overdue':
      return html`<span class="badge overdue">${t(lang, '期限超過', 'Overdue')}</span> ${d.dueAt ? formatDay(d.dueAt, lang) : ''} ${d.remainingDays !== null ? t(lang, `（${-d.remainingDays}日超過）`, `(${-d.remainingDays} days late)`) : ''}`;
    default: {
      const never: never = d.status;
      return never;
    }
  }
}

export function channelLabel(policy: Policy, channel: string, lang: Lang): string {
  if (channel === 'privacy_center') return t(lang, 'ウェブ（請求窓口）', 'Web (privacy center)');
  const contact = policy.operator.contacts.find((c) => c.id === channel);
  if (!contact) return channel;
  const kindWords: Record<typeof contact.kind, { ja: string; en: string }> = { web_form: { ja: '問い合わせフォーム', en: 'Inquiry form' }, email: { ja: 'メール', en: 'Email' }, postal: { ja: '郵送', en: 'Post' }, phone: { ja: '電話', en: 'Phone' } };
  return `${kindWords[contact.kind][lang]}${contact.label ? `（${localize(contact.label, lang)}）` : ''}`;
}

/** Every channel a request can arrive through under this policy. */
export function policyChannels(policy: Policy): string[] {
  const out = new Set<string>();
  for (const k of Object.keys(requestKindRules) as RequestKind[]) for (const c of policy.requests.kinds[k]?.channels ?? []) out.add(c);
  return [...out];
}

/** The queue with its filters. Overdue requests are marked by a badge and a red edge, not by colour alone. */
export function queueBody(request: FastifyRequest, policy: Policy, filters: ListFilters, result: { items: StaffRequestSummary[]; total: number }, message?: ConsoleMessage): SafeHtml {
  const lang = consoleLang(request);
  const kinds = Object.keys(requestKindRules) as RequestKind[];
  const sel = (value: string | undefined, option: string) => (value === option ? html` selected` : '');
  const overdueCount = result.items.filter((i) => i.deadline.status === 'overdue').length;
  return html`${consoleStyle()}<h1>${t(lang, '請求一覧', 'Requests')}</h1>
${messageBox(message)}
<form method="get" action="/console" class="filters" aria-label="${t(lang, '絞り込み', 'Filters')}">
<div><label for="f-kind">${t(lang, '種類', 'Kind')}</label><select id="f-kind" name="kind"><option value="">${t(lang, 'すべて', 'All')}</option>${kinds.map((k) => html`<option value="${k}"${sel(filters.kind, k)}>${kindName(k, lang)}</option>`)}</select></div>
<div><label for="f-state">${t(lang, '状態', 'State')}</label><select id="f-state" name="state"><option value="">${t(lang, 'すべて', 'All')}</option>${requestStates.map((s) => html`<option value="${s}"${sel(filters.state, s)}>${requestStateInfo[s].label[lang]}</option>`)}</select></div>
<div><label for="f-channel">${t(lang, '受付経路', 'Channel')}</label><select id="f-channel" name="channel"><option value="">${t(lang, 'すべて', 'All')}</option>${policyChannels(policy).map((c) => html`<option value="${c}"${sel(filters.channel, c)}>${channelLabel(policy, c, lang)}</option>`)}</select></div>
<div><label for="f-due">${t(lang, '期限（この日まで）', 'Due by')}</label><input id="f-due" name="due_before" type="date" value="${filters.due_before ?? ''}"></div>
<div><input id="f-overdue" name="overdue" type="checkbox" value="true" style="width:auto"${filters.overdue === 'true' ? html` checked` : ''}> <label for="f-overdue">${t(lang, '期限超過のみ', 'Overdue only')}</label></div>
<div><button type="submit">${t(lang, '絞り込む', 'Filter')}</button> <a href="/console">${t(lang, '条件を解除', 'Clear')}</a></div>
</form>
<p>${t(lang, `${result.total}件`, `${result.total} request(s)`)}${overdueCount > 0 ? html` · <strong class="warn">${t(lang, `このページの期限超過: ${overdueCount}件`, `${overdueCount} overdue on this page`)}</strong>` : ''}</p>
<table>
<caption class="muted" style="text-align:left">${t(lang, '受付の新しい順', 'Newest first')}</caption>
<thead><tr><th scope="col">${t(lang, '受付番号', 'Request')}</th><th scope="col">${t(lang, '種類', 'Kind')}</th><th scope="col">${t(lang, '状態', 'State')}</th><th scope="col">${t(lang, '経路', 'Channel')}</th><th scope="col">${t(lang, '受付日時', 'Received')}</th><th scope="col">${t(lang, '回答期限', 'Due')}</th><th scope="col">${t(lang, '手数料', 'Fee')}</th></tr></thead>
<tbody>
${result.items.length === 0 ? html`<tr><td colspan="7">${t(lang, '該当する請求はありません。', 'No requests match.')}</td></tr>` : ''}
${result.items.map((r) => html`<tr${r.deadline.status === 'overdue' ? html` class="overdue"` : ''}>
<td><a href="/console/requests/${r.id}">${r.id}</a>${r.agent ? html` <span class="muted">${t(lang, '（代理人）', '(agent)')}</span>` : ''}</td>
<td>${kindName(r.kind, lang)}</td><td>${requestStateInfo[r.state].label[lang]}</td><td>${channelLabel(policy, r.channel, lang)}</td>
<td>${formatTime(r.createdAt, lang)}</td><td>${deadlineCell(lang, r.deadline)}</td>
<td>${r.fee ? html`${r.fee.amount.toLocaleString('en-US')}${t(lang, '円', ' JPY')} ${r.fee.paid ? t(lang, '入金済', 'paid') : html`<strong>${t(lang, '未入金', 'unpaid')}</strong>`}` : '—'}</td>
</tr>`)}
</tbody></table>
${pager(lang, filters, result.total)}`;
}

function pager(lang: Lang, filters: ListFilters, total: number): SafeHtml {
  const link = (offset: number) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(filters)) if (v !== undefined && k !== 'offset' && k !== 'limit') q.set(k, String(v));
    q.set('offset', String(offset));
    return `/console?${q.toString()}`;
  };
  const prev = filters.offset > 0 ? Math.max(0, filters.offset - filters.limit) : null;
  const next = filters.offset + filters.limit < total ? filters.offset + filters.limit : null;
  if (prev === null && next === null) return html``;
  return html`<nav aria-label="${t(lang, 'ページ', 'Pages')}" style="display:flex;gap:16px">
${prev !== null ? html`<a href="${link(prev)}">${t(lang, '← 前のページ', '← Previous')}</a>` : ''}
<span class="muted">${t(lang, `${filters.offset + 1}〜${Math.min(total, filters.offset + filters.limit)}件目／全${total}件`, `${filters.offset + 1}–${Math.min(total, filters.offset + filters.limit)} of ${total}`)}</span>
${next !== null ? html`<a href="${link(next)}">${t(lang, '次のページ →', 'Next →')}</a>` : ''}</nav>`;
}

/** Every document kind staff can attach to a request entered by hand (the hosting seed's postal procedure and more). */
export function documentSlots(policy: Policy): Array<{ field: string; label: { ja: string; en: string } }> {
  const proofs = new Set<AgentProof>();
  for (const k of Object.keys(requestKindRules) as RequestKind[]) for (const p of policy.requests.kinds[k]?.agents.proofs ?? []) proofs.add(p);
  return [
    { field: 'doc_request_form', label: { ja: '請求書（スキャン）', en: 'Request form (scan)' } },
    { field: 'doc_identity_document', label: { ja: '本人確認書類', en: 'Identity document' } },
    ...[...proofs].map((p) => ({ field: `doc_proof_${p}`, label: agentProofLabels[p] })),
    { field: 'doc_other', label: { ja: 'その他の書類', en: 'Other document' } },
  ];
}

export interface EntryValues {
  channel: string;
  kind: string;
  lang: string;
  email: string;
  accountId: string;
  description: string;
  delivery: string;
  agentKind: string;
  agentName: string;
  agentRelationship: string;
}

export const emptyEntry: EntryValues = { channel: '', kind: '', lang: 'ja', email: '', accountId: '', description: '', delivery: '', agentKind: '', agentName: '', agentRelationship: '' };

/** The form for a request received by post, phone, email or inquiry form. */
export function entryBody(request: FastifyRequest, policy: Policy, v: EntryValues, message?: ConsoleMessage): SafeHtml {
  const lang = consoleLang(request);
  const channels = policyChannels(policy).filter((c) => c !== 'privacy_center');
  const kinds = (Object.keys(requestKindRules) as RequestKind[]).filter((k) => policy.requests.kinds[k]?.offered);
  const sel = (a: string, b: string) => (a === b ? html` selected` : '');
  const deliveries: DeliveryMethod[] = ['electronic', 'paper'];
  return html`${consoleStyle()}<h1>${t(lang, '請求の登録（郵送・電話・メール・フォーム）', 'Enter a request (post, phone, email, form)')}</h1>
${messageBox(message)}
<p class="muted">${t(lang, '郵送などで届いた請求を登録し、書類のスキャンを添付します。添付ファイルは暗号化して保存されます。', 'Record a request that arrived by post or another channel, with scans of its documents. Files are stored encrypted.')}</p>
<form method="post" action="/console/requests?${csrfQuery(request)}" enctype="multipart/form-data" class="stack" style="max-width:720px">
${csrfField(request)}
<div><label for="channel">${t(lang, '受付経路', 'Channel')}</label><select id="channel" name="channel" required>${channels.map((c) => html`<option value="${c}"${sel(v.channel, c)}>${channelLabel(policy, c, lang)}</option>`)}</select></div>
<div><label for="kind">${t(lang, '請求の種類', 'Kind of request')}</label><select id="kind" name="kind" required>${kinds.map((k) => html`<option value="${k}"${sel(v.kind, k)}>${kindName(k, lang)}</option>`)}</select></div>
<fieldset><legend>${t(lang, '回答の言語', 'Language of our answers')}</legend>
<input type="radio" id="lang-ja" name="lang" value="ja" style="width:auto"${v.lang !== 'en' ? html` checked` : ''}> <label for="lang-ja">日本語</label>
<input type="radio" id="lang-en" name="lang" value="en" style="width:auto"${v.lang === 'en' ? html` checked` : ''}> <label for="lang-en">English</label></fieldset>
<div><label for="email">${t(lang, '請求者のメールアドレス（分かる場合）', "Requester's email (if known)")}</label><input id="email" name="email" type="email" value="${v.email}" aria-describedby="email-hint"><p class="muted" id="email-hint">${t(lang, '空欄の場合、通知は書面（郵送）で行います。', 'Leave empty to answer by letter.')}</p></div>
<div><label for="account_id">${t(lang, 'アカウントID（分かる場合）', 'Account id (if known)')}</label><input id="account_id" name="account_id" value="${v.accountId}"></div>
<div><label for="description">${t(lang, '請求の内容', 'What is requested')}</label><textarea id="description" name="description" rows="4">${v.description}</textarea></div>
<fieldset><legend>${t(lang, '開示の方法（開示請求の場合）', 'Delivery (disclosure only)')}</legend>
<input type="radio" id="delivery-none" name="delivery" value="" style="width:auto"${v.delivery === '' ? html` checked` : ''}> <label for="delivery-none">${t(lang, '指定なし／開示以外', 'None / not a disclosure')}</label><br>
${deliveries.map((d) => html`<input type="radio" id="delivery-${d}" name="delivery" value="${d}" style="width:auto"${v.delivery === d ? html` checked` : ''}> <label for="delivery-${d}">${deliveryLabels[d][lang]}</label><br>`)}
</fieldset>
<fieldset><legend>${t(lang, '代理人による請求の場合', 'If an agent applies')}</legend>
<div><label for="agent_kind">${t(lang, '代理人の種類', 'Kind of agent')}</label><select id="agent_kind" name="agent_kind"><option value="">${t(lang, '代理人なし（ご本人）', 'No agent (the person)')}</option>
<option value="legal_representative"${sel(v.agentKind, 'legal_representative')}>${agentKindLabels.legal_representative[lang]}</option><option value="mandated"${sel(v.agentKind, 'mandated')}>${agentKindLabels.mandated[lang]}</option></select></div>
<div><label for="agent_name">${t(lang, '代理人の氏名', "Agent's name")}</label><input id="agent_name" name="agent_name" value="${v.agentName}"></div>
<div><label for="agent_relationship">${t(lang, 'ご本人との関係', 'Relationship')}</label><input id="agent_relationship" name="agent_relationship" value="${v.agentRelationship}"></div>
</fieldset>
<fieldset><legend>${t(lang, '書類のスキャン（PDF・PNG・JPEG、各10MBまで）', 'Scanned documents (PDF, PNG, JPEG; 10 MB each)')}</legend>
${documentSlots(policy).map((s) => html`<div><label for="${s.field}">${s.label[lang]}</label><input id="${s.field}" name="${s.field}" type="file" accept="application/pdf,image/png,image/jpeg"></div>`)}
</fieldset>
<div><button type="submit">${t(lang, '請求を登録する', 'Enter the request')}</button></div>
</form>`;
}

const actionLabels: Record<string, { ja: string; en: string }> = {
  filed: { ja: '受付（ウェブ）', en: 'Filed online' },
  entered: { ja: '受付（スタッフ登録）', en: 'Entered by staff' },
  code_resent: { ja: '確認コード再送', en: 'Code sent again' },
  email_verified: { ja: 'メールアドレス確認', en: 'Email confirmed' },
  state_changed: { ja: '状態の変更', en: 'State changed' },
  identity_confirmed: { ja: '本人確認完了', en: 'Identity confirmed' },
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
<div><label for="identity-note">${t(lang, '確認した内容（記録用・任意）', 'What you checked (optional)')}</label><input id="identity-note" name="note" maxlength="500"></div>`, t(lang, '確認済みにする', 'Mark as confirmed')));
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
  [t(lang, 'アカウントID', 'Account id'), v.accountId],
  [t(lang, '内容', 'Description'), html`<span style="white-space:pre-wrap">${v.description}</span>`],
  [t(lang, '開示の方法', 'Delivery'), v.delivery ? deliveryLabels[v.delivery][lang] : null],
  [t(lang, '代理人', 'Agent'), v.agentApplication ? `${agentKindLabels[v.agentApplication.kind][lang]} / ${v.agentApplication.name} / ${v.agentApplication.relationship}` : null],
  [t(lang, 'メール確認', 'Email confirmed by'), v.verifiedVia ? (verifiedViaLabels[v.verifiedVia]?.[lang] ?? v.verifiedVia) : null],
  [t(lang, '本人確認', 'Identity confirmed'), v.identityConfirmedAt ? formatTime(v.identityConfirmedAt, lang) : t(lang, '未確認', 'not yet')],
  [t(lang, '手数料', 'Fee'), v.fee ? `${v.fee.amount.toLocaleString('en-US')}${t(lang, '円', ' JPY')} ${v.fee.paid ? t(lang, `入金済（${v.feePayment.method ?? ''} ${v.feePayment.reference ?? ''}）`, `paid (${v.feePayment.method ?? ''} ${v.feePayment.reference ?? ''})`) : t(lang, '未入金', 'unpaid')}` : null],
])}
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
function actorLabel(actor: string, lang: Lang, staffNames: ReadonlyMap<string, string>): string {
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

/** At most this many rows of one group are shown; the rest is counted, not rendered (the package holds them all). */
export const GATHERED_ROW_CAP = 200;
/** At most this many columns of one group are shown. */
export const GATHERED_COLUMN_CAP = 40;
/** A longer cell value is cut, with a mark. */
export const GATHERED_CELL_CAP = 2000;

/** One value as text: strings as they are, everything else as JSON. Always escaped by `html` where it is used. */
function cellText(value: unknown, lang: Lang): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return text.length > GATHERED_CELL_CAP ? `${text.slice(0, GATHERED_CELL_CAP)}${t(lang, '…（以下省略）', '… (cut)')}` : text;
}

function groupTable(lang: Lang, sectionIndex: number, groupIndex: number, group: StaffGatheredView['sections'][number]['groups'][number]): SafeHtml {
  const shown = group.rows.slice(0, GATHERED_ROW_CAP);
  const columns: string[] = [];
  for (const row of shown) for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
  const shownColumns = columns.slice(0, GATHERED_COLUMN_CAP);
  const headingId = `g-${sectionIndex}-${groupIndex}`;
  const caps: string[] = [];
  if (group.rows.length > shown.length) caps.push(t(lang, `全${group.rows.length}行のうち先頭の${shown.length}行のみ表示しています。すべての行は開示データに含まれます。`, `Showing the first ${shown.length} of ${group.rows.length} rows. Every row is in the disclosure package.`));
  if (columns.length > shownColumns.length) caps.push(t(lang, `全${columns.length}項目のうち先頭の${shownColumns.length}項目のみ表示しています。`, `Showing the first ${shownColumns.length} of ${columns.length} columns.`));
  return html`<h4 id="${headingId}">${group.name} <span class="muted">(${t(lang, `${group.rows.length}行`, `${group.rows.length} rows`)})</span></h4>
${caps.map((c) => html`<p class="notice" role="note">${c}</p>`)}
${group.rows.length === 0
  ? html`<p class="muted">${t(lang, '行はありません。', 'No rows.')}</p>`
  : html`<div style="overflow-x:auto"><table aria-labelledby="${headingId}"><thead><tr><th scope="col">#</th>${shownColumns.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>
<tbody>${shown.map((row, i) => html`<tr><td>${i + 1}</td>${shownColumns.map((c) => html`<td style="white-space:pre-wrap;word-break:break-word">${cellText(row[c], lang)}</td>`)}</tr>`)}</tbody></table></div>`}`;
}

/** What was gathered for a request, as escaped tables, for review before the decision (33条2項). */
export function gatheredBody(request: FastifyRequest, v: StaffGatheredView, staffNames: ReadonlyMap<string, string> = new Map()): SafeHtml {
  const lang = consoleLang(request);
  const base = `/console/requests/${v.id}`;
  const totalRows = v.sections.reduce((n, s) => n + s.groups.reduce((m, g) => m + g.rows.length, 0), 0);
  return html`<h1>${t(lang, '収集したデータ', 'Gathered data')} <small class="muted">${v.id}</small></h1>
<p><a href="${base}">${t(lang, '← 請求に戻る', '← Back to the request')}</a> · ${kindName(v.kind, lang)} · ${requestStateInfo[v.state].label[lang]}</p>
<p class="muted">${t(lang, 'この画面の表示は、閲覧記録として請求の履歴と監査ログに残ります（記録されるのは件数のみで、データの内容は記録されません）。', 'Opening this page is recorded in the request timeline and the audit log (counts only, never the data).')}</p>
<p>${t(lang, '開示の決定の前に、開示する内容を確認してください。本人または第三者の権利利益を害するおそれがある場合など、33条2項各号に当たる部分があれば「一部対応」とし、根拠と理由を記録します。', 'Review what would be disclosed before deciding. Where part of it falls under a ground of art. 33(2) (for example, harm to the person or a third party), decide "partial" and record the ground and the reason.')}</p>
<p>${t(lang, `${v.sections.length}件の収集結果、合計${totalRows}行`, `${v.sections.length} section(s), ${totalRows} row(s) in all`)}</p>
${v.sections.length === 0 ? html`<p class="muted">${v.files.length > 0 ? t(lang, '表形式のデータはありません（収集したのはファイルのみです）。', 'No table data: only files were gathered.') : t(lang, 'まだデータは収集されていません。', 'No data has been gathered yet.')}</p>` : ''}
${v.sections.map((s, si) => html`<section aria-labelledby="s-${si}">
<h2 id="s-${si}">${s.title[lang]}</h2>
<p class="muted">${t(lang, '収集元', 'Source')}: ${s.source} · ${actorLabel(s.enteredBy, lang, staffNames)} · ${formatTime(s.createdAt, lang)}</p>
${s.groups.map((g, gi) => groupTable(lang, si, gi, g))}
</section>`)}
${v.files.length > 0 ? html`<h2>${t(lang, '収集したファイル', 'Gathered files')}</h2><ul>${v.files.map((f) => html`<li><a href="${base}/files/${f.id}"><bdi>${cleanFilename(f.filename)}</bdi></a> <span class="muted">(${Math.ceil(f.size / 1024)} KB, ${formatTime(f.createdAt, lang)})</span></li>`)}</ul>` : ''}`;
}
