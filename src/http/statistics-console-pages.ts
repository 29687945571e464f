import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import { MamoriError } from '../errors.ts';
import { html } from '../html/html.ts';
import { consoleLang, csrfField, staffActor } from './staff-auth.ts';
import { localize } from '../policy/load-policy.ts';
import { requestKindRules } from '../law/appi/request-kinds.ts';
import { provisionBases, provisionBasisLabels } from '../law/appi/record-retention.ts';
import { isRequestKind } from '../requests/request-service.ts';
import { computeStatistics, outcomes, statisticsCsv } from '../records/statistics.ts';
import { anonymizationJobSchema, anonymizeCsv, listAnonymizationJobs, recordAnonymizationJob } from '../records/anonymization-job.ts';
import { formOf, when, page, barChart, raise, tabTitle, type RecordsConsoleAccess } from './records-console-kit.ts';
import { articleName } from './request-labels.ts';

const outcomeWords: Record<(typeof outcomes)[number], { ja: string; en: string }> = {
  full: { ja: '全部対応', en: 'Full' },
  partial: { ja: '一部対応', en: 'Partial' },
  refused: { ja: '不対応', en: 'Refused' },
  alternative: { ja: '代替措置', en: 'Alternative' },
  withdrawn: { ja: '取り下げ', en: 'Withdrawn' },
  unverified: { ja: '本人確認できず', en: 'Identity not confirmed' },
  open: { ja: '対応中', en: 'Open' },
};

/** Request statistics (with small counts hidden) and anonymization jobs (43条). */
export function statisticsConsolePages(app: FastifyInstance, ctx: AppContext, access: RecordsConsoleAccess): void {
  const { db, readDb, view, manage, allowed } = access;
  const policy = ctx.policy.policy;
  const statsQuery = z.object({ k: z.coerce.number().int().min(2).max(1000).optional() });
  app.get('/console/statistics', { preHandler: view }, async (request, reply) => {
    const q = statsQuery.safeParse(request.query);
    const lang = consoleLang(request);
    const w = (ja: string, en: string) => (lang === 'ja' ? ja : en);
    // Staff see the true counts (k = 1 hides nothing); the published figures (CSV) hide counts under k.
    const published = await computeStatistics(readDb, q.success && q.data.k ? { k: q.data.k } : {});
    const s = await computeStatistics(readDb, { k: 1 });
    const k = published.k;
    const kindLabel = (kind: string) => (isRequestKind(kind) ? requestKindRules[kind].name[lang] : w('その他', 'Other'));
    const purposeLabel = (id: string) => { const p = policy.purposes.find((x) => x.id === id); return p ? localize(p.description, lang) : w('（ポリシーにない目的）', '(not in the policy)'); };
    const basisLabel = (b: string) => { const known = provisionBases.find((x) => x === b); return known ? provisionBasisLabels[known][lang] : w('その他', 'Other'); };
    /** A true count, marked when the published figure hides it. */
    const count = (n: number | null, hidden: boolean) => html`${n ?? 0}${hidden ? html`<span class="muted" title="${w(`${k}人未満のため公表時は非表示`, `hidden when published (under ${k})`)}">※</span>` : ''}`;
    const pubReq = (kind: string) => published.requests.find((r) => r.kind === kind);
    const body = html`
<div class="notice"><p>${w(`統計は、個人が特定されないよう、${k}人未満の値を公表用（CSV）では「&lt;${k}」として伏せます。利用者の少ないサーバーでは多くの値が伏せられますが、異常ではありません。`, `To keep individuals from being singled out, the published figures (CSV) hide any value under ${k} as "<${k}". On a small server many values are hidden; that is expected.`)}</p>
<p>${w('この画面はスタッフ向けのため実数を表示し、公表時に伏せられる値に「※」を付けています。', 'This staff page shows the true counts and marks with ※ the values hidden when published.')}
<a href="/console/statistics.csv?k=${k}">${w('公表用のCSVを書き出す', 'Export the published CSV')}</a></p></div>
<h2>${w('本人からの請求', 'Requests from individuals')}</h2>
${!s.sources.requests ? html`<p class="muted">${w('請求のデータはまだありません。', 'No request data yet.')}</p>` : s.requests.length === 0 ? html`<p class="muted">${w('請求はまだありません。', 'No requests yet.')}</p>` : html`
${barChart(w('種類別の請求件数', 'Requests by kind'), s.requests.map((r) => ({ label: kindLabel(r.kind), value: r.total })), w('件', ''), lang)}
<table><thead><tr><th>${w('種類', 'Kind')}</th><th>${w('件数', 'Total')}</th>${outcomes.map((o) => html`<th>${outcomeWords[o][lang]}</th>`)}<th>${w('完了までの日数（中央値）', 'Days to close (median)')}</th><th>${w('平均（日）', 'Mean (days)')}</th></tr></thead><tbody>
${s.requests.map((r) => html`<tr><td>${kindLabel(r.kind)}</td><td>${count(r.total, pubReq(r.kind)?.total === null)}</td>${outcomes.map((o) => html`<td>${count(r.outcomes[o], pubReq(r.kind)?.outcomes[o] === null)}</td>`)}<td>${r.medianDaysToClose ?? '—'}</td><td>${r.meanDaysToClose ?? '—'}</td></tr>`)}
</tbody></table>`}
<h2>${w('利用目的ごとの同意率', 'Consent rate by purpose')}</h2>
${s.consent.length === 0 ? html`<p class="muted">${w('同意のデータはまだありません。', 'No consent data yet.')}</p>` : html`${barChart(w('同意率（%）', 'Consent rate (%)'), s.consent.map((c) => ({ label: purposeLabel(c.purpose), value: c.rate })), '%', lang)}
<table><thead><tr><th>${w('目的', 'Purpose')}</th><th>${w('人数', 'People')}</th><th>${w('同意', 'Agreed')}</th><th>${w('同意率', 'Rate')}</th></tr></thead><tbody>${s.consent.map((c) => { const pub = published.consent.find((x) => x.purpose === c.purpose); return html`<tr><td>${purposeLabel(c.purpose)}</td><td>${count(c.subjects, pub?.subjects === null)}</td><td>${count(c.allowed, pub?.allowed === null)}</td><td>${c.rate === null ? '—' : `${c.rate}%`}</td></tr>`; })}</tbody></table>`}
<h2>${w('第三者提供', 'Provision to third parties')}</h2>
${s.provisions.length === 0 ? html`<p class="muted">${w('提供記録はありません。', 'No provision records.')}</p>` : html`${barChart(w('根拠別の本人数', 'People by basis'), s.provisions.map((p) => ({ label: basisLabel(p.basis), value: p.people })), w('人', ''), lang)}<table><thead><tr><th>${w('根拠', 'Basis')}</th><th>${w('記録数', 'Records')}</th><th>${w('本人数', 'People')}</th></tr></thead><tbody>${s.provisions.map((p) => html`<tr><td>${basisLabel(p.basis)}</td><td>${p.records}</td><td>${count(p.people, published.provisions.find((x) => x.basis === p.basis)?.people === null)}</td></tr>`)}</tbody></table>`}
<p>${w(`漏えい等事案: ${s.incidents.total}件`, `Breach incidents: ${s.incidents.total}`)}</p>`;
    return page(request, reply, tabTitle('/console/statistics', lang), '/console/statistics', body);
  });
  app.get('/console/statistics.csv', { preHandler: view }, async (request, reply) => {
    const q = statsQuery.safeParse(request.query);
    const s = await computeStatistics(readDb, q.success && q.data.k ? { k: q.data.k } : {});
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="mamori-statistics.csv"').send(statisticsCsv(s));
  });

  // --- anonymization jobs
  app.get('/console/anonymization', { preHandler: view }, async (request, reply) => {
    const jobs = await listAnonymizationJobs(readDb);
    const lang = consoleLang(request);
    const w = (ja: string, en: string) => (lang === 'ja' ? ja : en);
    const body = html`
<p>${w('作成した匿名加工情報に含まれる項目は ', 'The items in the anonymized data you create are published at ')}<a href="/privacy/anonymized">/privacy/anonymized</a>${w(' で公表されます（43条3項）。', ` (${articleName('43条3項', lang)}).`)}</p>
${jobs.length === 0 ? html`<p class="muted">${w('ジョブはまだありません。', 'No jobs yet.')}</p>` : html`<div class="table-scroll"><table><thead><tr><th>${w('作成日時', 'Created')}</th><th>${w('名称', 'Name')}</th><th><abbr title="${w('同じ組み合わせが最低何人に共通するか（k-匿名性）', 'How many people at least share each combination (k-anonymity)')}">k</abbr></th><th>${w('入力（行）', 'Input rows')}</th><th>${w('出力（行）', 'Output rows')}</th><th>${w('秘匿（行）', 'Suppressed rows')}</th><th>${w('項目', 'Items')}</th></tr></thead><tbody>
${jobs.map((j) => html`<tr><td>${when(j.createdAt, lang)}</td><td>${j.name}</td><td>${j.k}</td><td>${j.inputRows}</td><td>${j.outputRows}</td><td>${j.suppressedRows}</td><td>${j.items.map((i) => i.label[lang]).join(w('、', ', '))}</td></tr>`)}</tbody></table></div>`}
${allowed(request, 'records.manage') ? html`<h2>${w('ジョブの実行', 'Run a job')}</h2>
<form method="post" action="/console/anonymization" class="stack">${csrfField(request)}
<label for="config">${w('ジョブ設定（YAML）', 'Job settings (YAML)')}</label><textarea id="config" name="config" rows="10" required placeholder="name: ${w('年代別利用状況', 'Usage by age group')}&#10;dataset: members.csv&#10;k: 5&#10;columns:&#10;  - { name: email, role: identifier }"></textarea>
<label for="csv">${w('入力データ（CSV、1行目は見出し）', 'Input data (CSV, headings in the first line)')}</label><textarea id="csv" name="csv" rows="8" required></textarea>
<label for="recipient">${w('提供先（提供する場合）', 'Recipient (if you provide it to someone)')}</label><input id="recipient" name="recipient" maxlength="200">
<button type="submit">${w('加工してCSVをダウンロード', 'Anonymize and download the CSV')}</button></form>
<p class="muted">${w('大きなデータはコマンドで処理できます: ', 'Large data can be processed from the command line: ')}<code>mamori records anonymize --input data.csv --config job.yaml --out anon.csv</code></p>` : ''}`;
    return page(request, reply, tabTitle('/console/anonymization', lang), '/console/anonymization', body);
  });
  app.post('/console/anonymization', { preHandler: manage }, async (request, reply) => {
    const f = formOf(request);
    let config: unknown;
    try {
      config = parseYaml(f('config'));
    } catch {
      throw new MamoriError('MAMORI_ANONYMIZATION_CONFIG_INVALID', 'The job configuration is not valid YAML.');
    }
    const result = anonymizeCsv(f('csv'), config);
    const parsed = anonymizationJobSchema.parse(config);
    await recordAnonymizationJob(db, ctx.clock, staffActor(request.staff ?? raise()), { config: parsed, result, ...(f('recipient') ? { recipient: { name: f('recipient') } } : {}) });
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="anonymized.csv"').send(result.csv);
  });
}
