import { html } from '../html/html.ts';
import { passLabels } from '../site-audit/site-audit-findings.ts';
import { latestSiteAudits } from '../site-audit/site-audit-schedule.ts';
import type { FindingKind } from '../site-audit/site-audit-types.ts';
import { consoleLang, renderConsolePage, requireStaff } from './staff-auth.ts';
import { PAGE_CSP } from './page-headers.ts';
import type { RouteModule } from './route-module.ts';

const kindNames: Record<FindingKind, { ja: string; en: string }> = {
  undeclared_transmission: { ja: '未記載の外部送信', en: 'Undeclared transmission' },
  before_consent: { ja: '同意前の送信', en: 'Sent before consent' },
  after_reject: { ja: '拒否後の送信', en: 'Sent after reject' },
  cookie_after_reject: { ja: '拒否後の Cookie', en: 'Cookie after reject' },
  gpc_not_honoured: { ja: 'GPC を尊重していない', en: 'GPC not honoured' },
  declared_not_seen: { ja: '記載のみで未観測', en: 'Declared, never seen' },
  choice_not_found: { ja: '選択操作が見つからない', en: 'Choice control not found' },
};

/**
 * `/console/site-audit`: the newest site audit's findings (from the audit log, where scheduled runs record them) and
 * the runs before it. Readable by every role that sees records.
 */
export const siteAuditConsoleRoutes: RouteModule = (app, ctx) => {
  app.get('/console/site-audit', { preHandler: requireStaff(ctx, 'records.view') }, async (request, reply) => {
    const lang = consoleLang(request);
    const L = (ja: string, en: string) => (lang === 'ja' ? ja : en);
    const runs = await latestSiteAudits(ctx, 10);
    const latest = runs[0];
    const title = L('サイト監査（外部送信・同意）', 'Site audit (transmissions and consent)');
    const body = html`<h1>${title}</h1>
${latest === undefined
  ? html`<p class="muted">${L('記録された監査はまだありません。MAMORI_SITE_AUDIT_URLS を設定すると、サーバーが定期的に監査し、結果を監査ログに記録します。手元では mamori audit-site で実行できます。', 'No audit has been recorded yet. Set MAMORI_SITE_AUDIT_URLS and the server audits the pages on a schedule and records the result in the audit log; locally, run mamori audit-site.')}</p>`
  : html`<p>${L('最新の監査', 'Latest audit')}: ${latest.at} · <code>${latest.summary.site}</code> · ${L(`${latest.summary.pages}ページ`, `${latest.summary.pages} pages`)} · ${(latest.summary.durationMs / 1000).toFixed(1)} s</p>
${latest.summary.error ? html`<p class="notice error" role="alert">${L('監査を実行できませんでした', 'The audit could not run')}: ${latest.summary.error}</p>` : ''}
${latest.summary.error === null && latest.summary.findings.length === 0 ? html`<p class="ok">${L('指摘事項はありません。', 'No findings.')}</p>` : ''}
${latest.summary.findings.length > 0
  ? html`<table><thead><tr><th scope="col">${L('種類', 'Kind')}</th><th scope="col">${L('状況', 'Pass')}</th><th scope="col">${L('ツール・ホスト', 'Tool / host')}</th><th scope="col">${L('内容', 'Details')}</th><th scope="col">${L('ページ', 'Pages')}</th></tr></thead><tbody>
${latest.summary.findings.map((f) => html`<tr><td class="warn">${kindNames[f.kind][lang]}</td><td>${f.pass ? passLabels[f.pass][lang] : '—'}</td><td>${f.tool ?? ''}${f.host ? html`<br><code>${f.host}</code>` : ''}${f.cookie ? html`<br><code>${f.cookie}</code>` : ''}</td><td>${f.message}</td><td>${f.pages.map((p) => html`<code>${p}</code><br>`)}</td></tr>`)}
</tbody></table>`
  : ''}`}
${runs.length > 1
  ? html`<h2>${L('これまでの監査', 'Earlier audits')}</h2><table><thead><tr><th scope="col">${L('日時', 'When')}</th><th scope="col">${L('サイト', 'Site')}</th><th scope="col">${L('ページ数', 'Pages')}</th><th scope="col">${L('指摘', 'Findings')}</th></tr></thead><tbody>${runs.slice(1).map((r) => html`<tr><td>${r.at}</td><td><code>${r.summary.site}</code></td><td>${String(r.summary.pages)}</td><td>${r.summary.error ? L('実行失敗', 'failed') : String(r.summary.findings.length)}</td></tr>`)}</tbody></table>`
  : ''}`;
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').header('content-security-policy', PAGE_CSP).send(renderConsolePage(request, { title, body }));
  });
};
