import type { FastifyRequest } from 'fastify';
import type { StaffRequestView } from '../requests/request-service.ts';
import { can } from '../staff/staff-permissions.ts';
import { html, type SafeHtml } from '../html/html.ts';
import { consoleLang, csrfField } from './staff-auth.ts';
import { t, formatTime } from './console-page-parts.ts';
import { actorLabel } from './console-request-page.ts';

/**
 * Who handles the request and the staff's internal notes. Notes live on the request's timeline (the audit chain
 * records only that one was added) and are never shown to the requester.
 */
export function workSection(request: FastifyRequest, v: StaffRequestView, handlers: ReadonlyMap<string, string>, staffNames: ReadonlyMap<string, string>): SafeHtml {
  const lang = consoleLang(request);
  const role = request.staff?.role;
  const handle = role !== undefined && can(role, 'requests.handle');
  const base = `/console/requests/${v.id}`;
  const notes = v.timeline.filter((e) => e.action === 'note_added' && typeof e.data.note === 'string');
  const current = v.assignee ? (staffNames.get(v.assignee) ?? t(lang, '（登録のないスタッフ）', '(unknown staff)')) : t(lang, '未割り当て', 'Unassigned');
  return html`<h2 id="work">${t(lang, '担当と内部メモ', 'Assignee and internal notes')}</h2>
<p>${t(lang, '担当者', 'Assignee')}: <strong>${current}</strong></p>
${handle ? html`<form method="post" action="${base}/assign" class="inline-form">${csrfField(request)}
<label for="assignee">${t(lang, '担当者を変更', 'Change the assignee')}</label>
<select id="assignee" name="assignee"><option value="">${t(lang, '未割り当て', 'Unassigned')}</option>${[...handlers].map(([id, email]) => html`<option value="${id}"${v.assignee === id ? html` selected` : ''}>${email}</option>`)}</select>
<button type="submit" class="secondary">${t(lang, '担当者を保存', 'Save the assignee')}</button></form>` : ''}
${notes.length === 0 ? html`<p class="muted">${t(lang, '内部メモはまだありません。', 'No internal notes yet.')}</p>` : html`<ul class="notes">${notes.map((n) => html`<li><span class="muted">${formatTime(n.at, lang)} · ${actorLabel(n.actor, lang, staffNames)}</span><br><span class="wrap">${String(n.data.note)}</span></li>`)}</ul>`}
${handle ? html`<form method="post" action="${base}/note" class="stack" style="max-width:none">${csrfField(request)}
<div><label for="note-text">${t(lang, '内部メモを追加（請求者には表示されません。2,000文字まで）', 'Add an internal note (never shown to the requester; up to 2,000 characters)')}</label><textarea id="note-text" name="text" rows="2" maxlength="2000" required></textarea></div>
<div><button type="submit" class="secondary">${t(lang, 'メモを追加', 'Add the note')}</button></div></form>` : ''}`;
}
