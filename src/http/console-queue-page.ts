import type { FastifyRequest } from 'fastify';
import type { Policy, RequestKind } from '../policy/schema.ts';
import { localize } from '../policy/load-policy.ts';
import { requestKindRules } from '../law/appi/request-kinds.ts';
import { requestStateInfo, requestStates, type RequestState } from '../requests/request-state.ts';
import { type ListFilters, type StaffRequestSummary } from '../requests/request-service.ts';
import { can } from '../staff/staff-permissions.ts';
import { html, type SafeHtml } from '../html/html.ts';
import type { Lang } from '../html/layout.ts';
import { consoleLang } from './staff-auth.ts';
import { kindName } from './request-labels.ts';
import { t, formatTime, formatDay, messageBox, consoleStyle, type ConsoleMessage } from './console-page-parts.ts';

const finishedWords = { answered: { ja: '回答済み', en: 'Answered' }, ended: { ja: '終了（期限なし）', en: 'Ended (no deadline)' } } as const;

/** The request queue: filters, deadlines, paging. */
export function deadlineCell(lang: Lang, d: StaffRequestSummary['deadline'], state: RequestState): SafeHtml {
  // A finished request has no running deadline: say how it ended, not that identity is still unchecked.
  if (!requestStateInfo[state].open) return html`<span class="muted">${finishedWords[state === 'withdrawn' || state === 'rejected_unverified' ? 'ended' : 'answered'][lang]}</span>`;
  switch (d.status) {
    case 'not_started':
      return html`<span class="muted">${state === 'awaiting_verification' ? t(lang, 'メール確認前（期限は未開始）', 'Email not confirmed (not started)') : t(lang, '本人確認前（期限は未開始）', 'Identity not confirmed (not started)')}</span>`;
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

const scopeWords: Record<NonNullable<ListFilters['scope']>, { ja: string; en: string }> = {
  open: { ja: '対応中の請求', en: 'Being handled' },
  unconfirmed: { ja: 'メール未確認', en: 'Email not confirmed' },
  closed: { ja: '終了した請求', en: 'Finished' },
  all: { ja: 'すべて', en: 'All' },
};

/** The queue's address with these filters (paging restarts unless an offset is given). */
function queueHref(filters: Partial<ListFilters>, path = '/console'): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v !== undefined && k !== 'limit' && !(k === 'offset' && v === 0)) q.set(k, String(v));
  const qs = q.toString();
  return qs ? `${path}?${qs}` : path;
}

/** The queue with its filters. Overdue requests are marked by a badge and a red edge, not by colour alone. */
export function queueBody(request: FastifyRequest, policy: Policy, filters: ListFilters, result: { items: StaffRequestSummary[]; total: number }, message?: ConsoleMessage, handlers: ReadonlyMap<string, string> = new Map()): SafeHtml {
  const lang = consoleLang(request);
  const kinds = Object.keys(requestKindRules) as RequestKind[];
  const sel = (value: string | undefined, option: string) => (value === option ? html` selected` : '');
  const overdueCount = result.items.filter((i) => i.deadline.status === 'overdue').length;
  const scope = filters.scope ?? 'all';
  const keep = { ...filters, offset: 0 };
  return html`${consoleStyle()}<h1>${t(lang, '請求一覧', 'Requests')}</h1>
${messageBox(message)}
<nav aria-label="${t(lang, '請求の区分', 'Parts of the queue')}" class="tabs">${(Object.keys(scopeWords) as Array<keyof typeof scopeWords>).map((k) => html`<a href="${queueHref({ ...keep, scope: k })}"${k === scope ? html` aria-current="page" class="current"` : ''}>${scopeWords[k][lang]}</a>`)}</nav>
<form method="get" action="/console" class="filters" aria-label="${t(lang, '絞り込み', 'Filters')}">
<input type="hidden" name="scope" value="${scope}">
<div class="wide"><label for="f-q">${t(lang, '検索（受付番号・メールアドレス・アカウントID・代理人の氏名・お支払い番号）', 'Search (request number, email, account id, agent name, payment reference)')}</label><input id="f-q" name="q" type="search" maxlength="200" value="${filters.q ?? ''}"></div>
<div><label for="f-kind">${t(lang, '種類', 'Kind')}</label><select id="f-kind" name="kind"><option value="">${t(lang, 'すべて', 'All')}</option>${kinds.map((k) => html`<option value="${k}"${sel(filters.kind, k)}>${kindName(k, lang)}</option>`)}</select></div>
<div><label for="f-state">${t(lang, '状態', 'State')}</label><select id="f-state" name="state"><option value="">${t(lang, 'すべて', 'All')}</option>${requestStates.map((s) => html`<option value="${s}"${sel(filters.state, s)}>${requestStateInfo[s].label[lang]}</option>`)}</select></div>
<div><label for="f-channel">${t(lang, '受付経路', 'Channel')}</label><select id="f-channel" name="channel"><option value="">${t(lang, 'すべて', 'All')}</option>${policyChannels(policy).map((c) => html`<option value="${c}"${sel(filters.channel, c)}>${channelLabel(policy, c, lang)}</option>`)}</select></div>
<div><label for="f-assignee">${t(lang, '担当者', 'Assignee')}</label><select id="f-assignee" name="assignee"><option value="">${t(lang, 'すべて', 'All')}</option><option value="none"${sel(filters.assignee, 'none')}>${t(lang, '未割り当て', 'Unassigned')}</option>${[...handlers].map(([id, email]) => html`<option value="${id}"${sel(filters.assignee, id)}>${email}</option>`)}</select></div>
<div><label for="f-due">${t(lang, '期限（この日まで）', 'Due by')}</label><input id="f-due" name="due_before" type="date" value="${filters.due_before ?? ''}"></div>
<div><input id="f-overdue" name="overdue" type="checkbox" value="true" style="width:auto"${filters.overdue === 'true' ? html` checked` : ''}> <label for="f-overdue">${t(lang, '期限超過のみ', 'Overdue only')}</label></div>
<div><button type="submit">${t(lang, '絞り込む', 'Filter')}</button> <a href="/console">${t(lang, '条件を解除', 'Clear')}</a></div>
</form>
<p>${t(lang, `${result.total}件`, `${result.total} request(s)`)}${overdueCount > 0 ? html` · <strong class="warn">${t(lang, `このページの期限超過: ${overdueCount}件`, `${overdueCount} overdue on this page`)}</strong>` : ''} · <a href="${queueHref(keep, '/console/requests.csv')}" download>${t(lang, 'この条件でCSVを書き出す', 'Export these as CSV')}</a></p>
<div class="table-scroll"><table class="queue">
<caption class="muted" style="text-align:left">${t(lang, '受付の新しい順（日時は日本時間）', 'Newest first (times in Japan time)')}</caption>
<thead><tr><th scope="col">${t(lang, '受付番号', 'Request')}</th><th scope="col">${t(lang, '種類', 'Kind')}</th><th scope="col">${t(lang, '状態', 'State')}</th><th scope="col">${t(lang, '経路', 'Channel')}</th><th scope="col">${t(lang, '受付日時', 'Received')}</th><th scope="col">${t(lang, '回答期限', 'Due')}</th><th scope="col">${t(lang, '手数料', 'Fee')}</th><th scope="col">${t(lang, '担当者', 'Assignee')}</th></tr></thead>
<tbody>
${result.items.length === 0 ? html`<tr><td colspan="8">${t(lang, '該当する請求はありません。', 'No requests match.')}</td></tr>` : ''}
${result.items.map((r) => html`<tr${r.deadline.status === 'overdue' ? html` class="overdue"` : ''}>
<td data-label="${t(lang, '受付番号', 'Request')}"><a href="/console/requests/${r.id}">${r.id}</a>${r.agent ? html` <span class="muted">${t(lang, '（代理人）', '(agent)')}</span>` : ''}</td>
<td data-label="${t(lang, '種類', 'Kind')}">${kindName(r.kind, lang)}</td><td data-label="${t(lang, '状態', 'State')}">${requestStateInfo[r.state].label[lang]}</td><td data-label="${t(lang, '経路', 'Channel')}">${channelLabel(policy, r.channel, lang)}</td>
<td data-label="${t(lang, '受付日時', 'Received')}">${formatTime(r.createdAt, lang)}</td><td data-label="${t(lang, '回答期限', 'Due')}">${deadlineCell(lang, r.deadline, r.state)}</td>
<td data-label="${t(lang, '手数料', 'Fee')}">${r.fee ? html`${r.fee.amount.toLocaleString('en-US')}${t(lang, '円', ' JPY')} ${r.fee.paid ? t(lang, '入金済', 'paid') : html`<strong>${t(lang, '未入金', 'unpaid')}</strong>`}` : '—'}</td>
<td data-label="${t(lang, '担当者', 'Assignee')}">${r.assignee ? (handlers.get(r.assignee) ?? t(lang, '（登録のないスタッフ）', '(unknown staff)')) : html`<span class="muted">${t(lang, '未割り当て', 'Unassigned')}</span>`}</td>
</tr>`)}
</tbody></table></div>
${pager(lang, filters, result.total)}`;
}

/** One CSV cell: quoted, and a leading =, +, - or @ defused so a spreadsheet never runs it as a formula. */
function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return `"${safe.replace(/"/g, '""')}"`;
}

/** The queue as CSV in the staff member's language (UTF-8 with a BOM so spreadsheet programs read Japanese). */
export function queueCsv(policy: Policy, items: StaffRequestSummary[], lang: Lang, handlers: ReadonlyMap<string, string>): string {
  const deadline = (r: StaffRequestSummary) => {
    if (!requestStateInfo[r.state].open) return t(lang, '回答済み・終了', 'Finished');
    if (r.deadline.status === 'not_started') return t(lang, '未開始', 'Not started');
    const word = { paused: t(lang, '停止中', 'On hold'), running: t(lang, '期限内', 'On time'), overdue: t(lang, '期限超過', 'Overdue') }[r.deadline.status];
    return word;
  };
  const head = [t(lang, '受付番号', 'Request'), t(lang, '種類', 'Kind'), t(lang, '状態', 'State'), t(lang, '受付経路', 'Channel'), t(lang, '受付日時（日本時間）', 'Received (Japan time)'), t(lang, '回答期限（日本時間）', 'Due (Japan time)'), t(lang, '期限の状況', 'Deadline'), t(lang, '手数料（円）', 'Fee (JPY)'), t(lang, '入金', 'Paid'), t(lang, '担当者', 'Assignee')];
  const rows = items.map((r) => [r.id, kindName(r.kind, lang), requestStateInfo[r.state].label[lang], channelLabel(policy, r.channel, lang), formatTime(r.createdAt, lang), r.deadline.dueAt ? formatTime(r.deadline.dueAt, lang) : '', deadline(r), r.fee ? String(r.fee.amount) : '', r.fee ? (r.fee.paid ? t(lang, '入金済', 'paid') : t(lang, '未入金', 'unpaid')) : '', r.assignee ? (handlers.get(r.assignee) ?? '') : '']);
  return `\uFEFF${[head, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
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
