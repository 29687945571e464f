import { html, type SafeHtml } from '../html/html.ts';
import { renderPage } from '../html/layout.ts';
import { passLabels } from './site-audit-findings.ts';
import type { FindingKind, SiteAuditResult } from './site-audit-types.ts';

const kindLabels: Record<FindingKind, { ja: string; en: string }> = {
  undeclared_transmission: { ja: '未記載の外部送信', en: 'Undeclared transmission' },
  before_consent: { ja: '同意前の送信', en: 'Sent before consent' },
  after_reject: { ja: '拒否後の送信', en: 'Sent after reject' },
  cookie_after_reject: { ja: '拒否後の Cookie', en: 'Cookie after reject' },
  gpc_not_honoured: { ja: 'GPC 不尊重', en: 'GPC not honoured' },
  declared_not_seen: { ja: '記載のみで未観測', en: 'Declared, never seen' },
  choice_not_found: { ja: '選択操作が見つからない', en: 'Choice control not found' },
};

const REPORT_CSS = html`<style>
td code{word-break:break-all}.count{font-variant-numeric:tabular-nums;text-align:right}
details{margin:8px 0}summary{cursor:pointer;font-weight:600}
</style>`;

/**
 * The audit as one self-contained HTML page: the findings, then per pass a table with a row per page (hosts of
 * other sites contacted, cookies and storage that appeared, and who set them).
 */
export function siteAuditHtml(result: SiteAuditResult): string {
  const title = `mamori audit-site: ${result.site}`;
  const body = html`<h1>外部送信の監査 / Site audit: ${result.site}</h1>
<p class="muted">${result.startedAt} · ${result.pages.length} pages × ${result.passes.length} passes · ${(result.durationMs / 1000).toFixed(1)} s${result.policy ? html` · policy ${result.policy.file ?? ''} (${result.policy.inScope === true ? '27条の12 in scope' : result.policy.inScope === false ? 'out of scope' : 'scope not declared'})` : ' · no policy given'}</p>
<h2>指摘事項 / Findings (${result.findings.length})</h2>
${result.findings.length === 0
  ? html`<p class="ok">指摘事項はありません。 No findings.</p>`
  : html`<table><thead><tr><th scope="col">種類 / Kind</th><th scope="col">Pass</th><th scope="col">Tool / host</th><th scope="col">Details</th><th scope="col">Pages</th></tr></thead><tbody>${result.findings.map(
      (f) => html`<tr><td class="warn">${kindLabels[f.kind].ja}<br><small>${kindLabels[f.kind].en}</small></td><td>${f.pass ? passLabels[f.pass].en : '—'}</td><td>${f.tool ?? ''}${f.host ? html`<br><code>${f.host}</code>` : ''}${f.cookie ? html`<br><code>${f.cookie}</code>` : ''}</td><td>${f.message}</td><td>${f.pages.map((p) => html`<code>${p}</code><br>`)}</td></tr>`,
    )}</tbody></table>`}
${result.passes.map((pass) => html`<h2>${passLabels[pass.pass].ja} / ${passLabels[pass.pass].en}</h2>
${pass.choiceMade === false ? html`<p class="warn">The choice control was not found.</p>` : ''}
<table><thead><tr><th scope="col">Page</th><th scope="col">Other sites contacted</th><th scope="col">Cookies</th><th scope="col">Storage</th></tr></thead><tbody>
${pass.pages.map((p) => html`<tr><td><code>${p.url}</code>${p.status !== null ? html` <small>${String(p.status)}</small>` : ''}${p.error ? html`<br><span class="warn">${p.error}</span>` : ''}</td><td>${requestsCell(p.requests)}</td><td>${p.cookies.map((c) => html`<code>${c.name}</code> <small>${c.domain}, by ${c.setBy}</small><br>`)}</td><td>${p.storage.map((s) => html`<code>${s.key}</code> <small>${s.area}, by ${s.setBy}</small><br>`)}</td></tr>`)}
</tbody></table>`)}`;
  return renderPage({ lang: 'ja', title, brand: 'mamori', body, head: REPORT_CSS });
}

function requestsCell(requests: SiteAuditResult['passes'][number]['pages'][number]['requests']): SafeHtml {
  const byHost = new Map<string, typeof requests>();
  for (const r of requests) byHost.set(r.host, [...(byHost.get(r.host) ?? []), r]);
  return html`${[...byHost.entries()].map(([host, rs]) => html`<details><summary><code>${host}</code>${rs[0]?.tool ? html` — ${rs[0].tool}` : ''} (${String(rs.length)})</summary>${rs.map((r) => html`<code>${r.path}</code> <small>${r.type}, from ${r.initiator}</small><br>`)}</details>`)}`;
}

/** One line per finding, for a terminal or CI log. */
export function siteAuditText(result: SiteAuditResult): string {
  const lines = result.findings.map((f) => `${f.kind}${f.pass ? ` [${f.pass}]` : ''}: ${f.message}${f.pages.length > 0 ? ` (${f.pages[0]}${f.pages.length > 1 ? ` and ${f.pages.length - 1} more` : ''})` : ''}`);
  lines.push(`${result.site}: ${result.pages.length} pages × ${result.passes.length} passes in ${(result.durationMs / 1000).toFixed(1)} s, ${result.findings.length} finding${result.findings.length === 1 ? '' : 's'}`);
  return `${lines.join('\n')}\n`;
}
