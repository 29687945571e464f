import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import { MamoriError } from '../errors.ts';
import { html } from '../html/html.ts';
import { csrfField, staffActor } from './staff-auth.ts';
import { computeStatistics, outcomes, statisticsCsv } from '../records/statistics.ts';
import { anonymizationJobSchema, anonymizeCsv, listAnonymizationJobs, recordAnonymizationJob } from '../records/anonymization-job.ts';
import { formOf, jst, page, cell, barChart, raise, type RecordsConsoleAccess } from './records-console-kit.ts';

/** Request statistics (with small counts hidden) and anonymization jobs (43条). */
export function statisticsConsolePages(app: FastifyInstance, ctx: AppContext, access: RecordsConsoleAccess): void {
  const { db, view, manage, allowed } = access;
  const statsQuery = z.object({ k: z.coerce.number().int().min(2).max(1000).optional() });
  app.get('/console/statistics', { preHandler: view }, async (request, reply) => {
    const q = statsQuery.safeParse(request.query);
    const s = await computeStatistics(db, q.success && q.data.k ? { k: q.data.k } : {});
    const body = html`
<p class="muted">${s.k}人未満の集計値は、個人が特定されないよう非表示（&lt;${s.k}）にしています。<a href="/console/statistics.csv?k=${s.k}">CSVで書き出す</a></p>
<h2>本人からの請求</h2>
${!s.sources.requests ? html`<p class="muted">請求のデータはまだありません。</p>` : s.requests.length === 0 ? html`<p class="muted">請求はまだありません。</p>` : html`
${barChart('種類別の請求件数', s.requests.map((r) => ({ label: r.kind, value: r.total })), '件')}
${barChart('完了までの日数（中央値）', s.requests.map((r) => ({ label: r.kind, value: r.medianDaysToClose })), '日')}
<table><thead><tr><th>種類</th><th>件数</th>${outcomes.map((o) => html`<th>${o}</th>`)}<th>中央値（日）</th><th>平均（日）</th></tr></thead><tbody>
${s.requests.map((r) => html`<tr><td>${r.kind}</td><td>${cell(r.total, s.k)}</td>${outcomes.map((o) => html`<td>${cell(r.outcomes[o], s.k)}</td>`)}<td>${r.medianDaysToClose ?? cell(null, s.k)}</td><td>${r.meanDaysToClose ?? cell(null, s.k)}</td></tr>`)}
</tbody></table>`}
<h2>利用目的ごとの同意率</h2>
${s.consent.length === 0 ? html`<p class="muted">同意のデータはまだありません。</p>` : html`${barChart('同意率（%）', s.consent.map((c) => ({ label: c.purpose, value: c.rate })), '%')}
<table><thead><tr><th>目的</th><th>人数</th><th>同意</th><th>同意率</th></tr></thead><tbody>${s.consent.map((c) => html`<tr><td>${c.purpose}</td><td>${cell(c.subjects, s.k)}</td><td>${cell(c.allowed, s.k)}</td><td>${c.rate === null ? cell(null, s.k) : `${c.rate}%`}</td></tr>`)}</tbody></table>`}
<h2>第三者提供</h2>
${s.provisions.length === 0 ? html`<p class="muted">提供記録はありません。</p>` : html`${barChart('根拠別の提供先への本人数', s.provisions.map((p) => ({ label: p.basis, value: p.people })), '人')}<table><thead><tr><th>根拠</th><th>記録数</th><th>本人数</th></tr></thead><tbody>${s.provisions.map((p) => html`<tr><td>${p.basis}</td><td>${p.records}</td><td>${cell(p.people, s.k)}</td></tr>`)}</tbody></table>`}
<p>漏えい等事案: ${s.incidents.total}件</p>`;
    return page(request, reply, '統計', '/console/statistics', body);
  });
  app.get('/console/statistics.csv', { preHandler: view }, async (request, reply) => {
    const q = statsQuery.safeParse(request.query);
    const s = await computeStatistics(db, q.success && q.data.k ? { k: q.data.k } : {});
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="mamori-statistics.csv"').send(statisticsCsv(s));
  });

  // --- anonymization jobs
  app.get('/console/anonymization', { preHandler: view }, async (request, reply) => {
    const jobs = await listAnonymizationJobs(db);
    const body = html`
<p>作成した匿名加工情報に含まれる項目は <a href="/privacy/anonymized">/privacy/anonymized</a> で公表されます（43条3項）。</p>
${jobs.length === 0 ? html`<p class="muted">ジョブはまだありません。</p>` : html`<table><thead><tr><th>作成日時</th><th>名称</th><th>k</th><th>入力</th><th>出力</th><th>秘匿</th><th>項目</th></tr></thead><tbody>
${jobs.map((j) => html`<tr><td>${jst(j.createdAt)}</td><td>${j.name}</td><td>${j.k}</td><td>${j.inputRows}</td><td>${j.outputRows}</td><td>${j.suppressedRows}</td><td>${j.items.map((i) => i.label.ja).join('、')}</td></tr>`)}</tbody></table>`}
${allowed(request, 'records.manage') ? html`<h2>ジョブの実行</h2>
<form method="post" action="/console/anonymization" class="stack">${csrfField(request)}
<label for="config">ジョブ設定（YAML）</label><textarea id="config" name="config" rows="10" required placeholder="name: 年代別利用状況&#10;dataset: members.csv&#10;k: 5&#10;columns:&#10;  - { name: email, role: identifier }"></textarea>
<label for="csv">入力データ（CSV、1行目は見出し）</label><textarea id="csv" name="csv" rows="8" required></textarea>
<label for="recipient">提供先（提供する場合）</label><input id="recipient" name="recipient">
<button type="submit">加工してCSVをダウンロード</button></form>
<p class="muted">大きなデータは <code>mamori records anonymize --input data.csv --config job.yaml --out anon.csv</code> で処理できます。</p>` : ''}`;
    return page(request, reply, '匿名加工情報', '/console/anonymization', body);
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
