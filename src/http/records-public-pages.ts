import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { z } from 'zod';
import { MamoriError } from '../errors.ts';
import { localize } from '../policy/load-policy.ts';
import { html } from '../html/html.ts';
import { pickLang, renderPage } from '../html/layout.ts';
import { breachReportFieldOrder, breachReportFields } from '../law/appi/breach-report-fields.ts';
import { findPublishedNotice, withDefaults } from '../records/incidents.ts';
import { listAnonymizationJobs } from '../records/anonymization-job.ts';
import { type RecordsConsoleAccess } from './records-console-kit.ts';
import { formatJapanDate } from '../dates/japan-date.ts';
import { selfName } from '../policy/render/self-name.ts';

/** The two public pages of the records domain: the 43条3項 item list and alternative incident notices. */
export function recordsPublicPages(app: FastifyInstance, ctx: AppContext, access: RecordsConsoleAccess): void {
  const { db, publish, operator } = access;
  app.get('/privacy/anonymized', async (request, reply) => {
    const lang = pickLang(request.query, request.headers['accept-language']);
    const jobs = await listAnonymizationJobs(db, { publishedOnly: true });
    const service = localize(ctx.policy.policy.service.name, lang);
    const title = lang === 'ja' ? '匿名加工情報に関する公表事項' : 'Anonymized information we have created';
    const body = html`<h1>${title}</h1>
<p>${lang === 'ja' ? `${operator()}は、個人情報の保護に関する法律第43条第3項に基づき、作成した匿名加工情報に含まれる個人に関する情報の項目を次のとおり公表します。` : `Under Article 43(3) APPI, ${localize(ctx.policy.policy.operator.name, 'en')} publishes the items of personal information contained in the anonymized information it has created.`}</p>
${jobs.length === 0 ? html`<p>${lang === 'ja' ? '現在、公表の対象となる匿名加工情報はありません。' : 'There is currently no anonymized information to publish.'}</p>` : html`<table><thead><tr><th>${lang === 'ja' ? '作成日' : 'Created'}</th><th>${lang === 'ja' ? '名称' : 'Name'}</th><th>${lang === 'ja' ? '含まれる項目' : 'Items'}</th></tr></thead><tbody>
${jobs.map((j) => html`<tr><td>${formatJapanDate(j.publishedAt ?? j.createdAt, lang)}</td><td>${j.name}</td><td>${j.items.map((i) => i.label[lang]).join(lang === 'ja' ? '、' : ', ')}</td></tr>`)}</tbody></table>`}`;
    return reply.type('text/html; charset=utf-8').send(renderPage({ lang, title, body, brand: service }));
  });

  app.get('/notices/:slug', async (request, reply) => {
    const p = z.object({ slug: z.string().max(64) }).safeParse(request.params);
    const inc = p.success ? await findPublishedNotice(db, p.data.slug) : null;
    if (!inc) throw new MamoriError('MAMORI_NOTICE_NOT_FOUND');
    const values = withDefaults(inc);
    const service = localize(ctx.policy.policy.service.name, 'ja');
    const contacts = ctx.policy.policy.operator.contacts.map((c) => localize(c.value, 'ja'));
    const body = html`<h1>個人情報の漏えい等に関するお知らせ</h1>
<p class="muted">${inc.noticePublishedAt ? formatJapanDate(inc.noticePublishedAt, 'ja') : ''} ${operator()}</p>
<p>このたび、${selfName(ctx.policy.policy).ja}が取り扱う個人データについて、漏えい等の事態が発生したこと（又はそのおそれがあること）が判明いたしました。関係する皆様に多大なご心配とご迷惑をおかけしますことを、深くお詫び申し上げます。ご本人への個別の連絡が困難な方がいらっしゃるため、本ページにてお知らせいたします。</p>
${breachReportFieldOrder.filter((f) => breachReportFields[f].inIndividualNotice && (values[f] ?? '').trim() !== '').map((f) => html`<h2>${breachReportFields[f].label.ja}</h2><p style="white-space:pre-wrap">${values[f] ?? ''}</p>`)}
<h2>お問い合わせ窓口</h2><ul>${contacts.map((c) => html`<li>${c}</li>`)}</ul>`;
    return reply.type('text/html; charset=utf-8').send(renderPage({ lang: 'ja', title: `個人情報の漏えい等に関するお知らせ | ${service}`, body, brand: service }));
  });
}
