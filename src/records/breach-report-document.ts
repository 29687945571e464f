import { html, type SafeHtml } from '../html/html.ts';
import { formatJapanDateTime } from '../dates/japan-date.ts';
import { breachTriggerLabels, breachExemptionLabels } from '../law/appi/breach.ts';
import { breachReportFieldOrder, breachReportFields } from '../law/appi/breach-report-fields.ts';
import { withDefaults, type IncidentView } from './incidents.ts';

const stateLabel = { on_track: '期限内', late: '目安超過（要対応）', overdue: '期限超過', submitted: '提出済み' } as const;

/** The PPC reads Japanese dates: 2026年12月1日 1:35（日本時間）. */
function jst(iso: string | null): string {
  return iso ? formatJapanDateTime(iso, 'ja') : '—';
}

/** The 規則8条 report draft as plain text (CLI, attachments). */
export function breachReportText(v: IncidentView, operatorName: string): string {
  const values = withDefaults(v);
  const lines = [
    `個人データの漏えい等事案に関する報告（案）`,
    `事業者: ${operatorName}`,
    `事案: ${v.title}（${v.id}）`,
    `発覚日時: ${jst(v.discoveredAt)}`,
    `発生日時: ${jst(v.occurredAt)}`,
    `報告対象: ${v.reportability.reportable ? '該当' : v.reportability.exemption ? `非該当（${breachExemptionLabels[v.reportability.exemption].ja}）` : '非該当'}`,
    ...v.reportability.triggers.map((t) => `  - ${breachTriggerLabels[t.trigger].ja}（${t.article}）`),
    ...(v.deadlines
      ? [`速報期限の目安: ${v.deadlines.preliminary.dueDate}（遅くとも ${v.deadlines.preliminary.limitDate}）: ${stateLabel[v.deadlines.preliminary.state]}`, `確報期限: ${v.deadlines.final.dueDate}（${v.deadlines.final.days}日）: ${stateLabel[v.deadlines.final.state]}`]
      : []),
    '',
    ...breachReportFieldOrder.flatMap((f) => [`【${breachReportFields[f].label.ja}】（${breachReportFields[f].item}）`, (values[f] ?? '').trim() || '（未記入）', '']),
  ];
  return lines.join('\n');
}

/** The same draft as a printable HTML fragment (console page; print CSS hides navigation). */
export function breachReportHtml(v: IncidentView, operatorName: string): SafeHtml {
  const values = withDefaults(v);
  return html`<article class="report">
<h2>個人データの漏えい等事案に関する報告（案）</h2>
<table>
<tr><th scope="row">事業者</th><td>${operatorName}</td></tr>
<tr><th scope="row">事案</th><td>${v.title} <span class="muted">(${v.id})</span></td></tr>
<tr><th scope="row">発覚日時</th><td>${jst(v.discoveredAt)}</td></tr>
<tr><th scope="row">発生日時</th><td>${jst(v.occurredAt)}</td></tr>
<tr><th scope="row">報告対象</th><td>${v.reportability.reportable ? html`<strong class="warn">該当</strong>` : v.reportability.exemption ? `非該当（${breachExemptionLabels[v.reportability.exemption].ja}）` : '非該当'}
${v.reportability.triggers.length > 0 ? html`<ul>${v.reportability.triggers.map((t) => html`<li>${breachTriggerLabels[t.trigger].ja}（${t.article}）</li>`)}</ul>` : ''}
${v.reportability.countUnknown ? html`<p class="warn">本人の数が未確定のため、1,000人超の基準は判定できていません。</p>` : ''}</td></tr>
${v.deadlines
  ? html`<tr><th scope="row">速報</th><td>目安 ${v.deadlines.preliminary.dueDate}（遅くとも ${v.deadlines.preliminary.limitDate}）: <span class="${v.deadlines.preliminary.state === 'on_track' || v.deadlines.preliminary.state === 'submitted' ? 'ok' : 'warn'}">${stateLabel[v.deadlines.preliminary.state]}</span>${v.preliminarySubmittedAt ? ` ${jst(v.preliminarySubmittedAt)}` : ''}</td></tr>
<tr><th scope="row">確報</th><td>期限 ${v.deadlines.final.dueDate}（発覚から${v.deadlines.final.days}日）: <span class="${v.deadlines.final.state === 'on_track' || v.deadlines.final.state === 'submitted' ? 'ok' : 'warn'}">${stateLabel[v.deadlines.final.state]}</span>${v.finalSubmittedAt ? ` ${jst(v.finalSubmittedAt)}` : ''}</td></tr>`
  : ''}
</table>
<h3>報告事項（個人情報保護法施行規則第8条第1項）</h3>
<dl>
${breachReportFieldOrder.map((f) => html`<dt>${breachReportFields[f].label.ja} <span class="muted">${breachReportFields[f].item}</span></dt><dd style="white-space:pre-wrap">${(values[f] ?? '').trim() || html`<span class="warn">（未記入）</span>`}</dd>`)}
</dl>
</article>`;
}
