import { z } from 'zod';
import { japanDay } from '../dates/japan-date.ts';
import type { AppContext } from '../context.ts';
import { MamoriError } from '../errors.ts';
import { selfName } from '../policy/render-document.ts';
import { blockHtml } from '../policy/render-html.ts';
import { EXTERNAL_TRANSMISSIONS_PATH, externalTransmissionPageBlocks } from '../policy/render-external-transmissions.ts';
import { listVersions, requireVersion, versionInForce, type PolicyVersionSummary } from '../policy/policy-versions.ts';
import { formatDualDate } from '../policy/era-date.ts';
import { localize } from '../policy/load-policy.ts';
import type { Policy } from '../policy/schema.ts';
import { html } from '../html/html.ts';
import { renderPage, type Lang } from '../html/layout.ts';
import { errorBody } from './openapi.ts';
import type { RouteModule } from './route-module.ts';

const query = z.object({ lang: z.string().max(8).optional(), version: z.string().max(32).optional() });

/** Calendar date in Japan, where effective dates are set. */
function todayInJapan(ctx: AppContext): string {
  return japanDay(ctx.clock.now());
}

/**
 * `/privacy/external-transmissions`: the 外部送信 publication (電気通信事業法27条の12), in Japanese or `?lang=en`, of the
 * policy in force or of a published version (`?version=N`), so what was published on a given day can be shown later.
 */
export const externalTransmissionRoutes: RouteModule = (app, ctx, openapi) => {
  app.get(EXTERNAL_TRANSMISSIONS_PATH, async (request, reply) => {
    const q = query.safeParse(request.query ?? {});
    if (!q.success) throw new MamoriError('MAMORI_BAD_REQUEST', 'Each query parameter may be given once, as short text.');
    const langValue = q.data.lang ?? 'ja';
    if (langValue !== 'ja' && langValue !== 'en') throw new MamoriError('MAMORI_LANG_UNSUPPORTED', `The language "${langValue}" is not supported: use ja or en.`);
    const lang: Lang = langValue;
    const L = (ja: string, en: string) => (lang === 'ja' ? ja : en);
    let policy: Policy;
    let shown: PolicyVersionSummary | undefined;
    const versions = await listVersions(ctx.store.db);
    if (q.data.version !== undefined) {
      const v = await requireVersion(ctx.store.db, q.data.version);
      policy = v.policy;
      shown = v;
    } else {
      const state = await versionInForce(ctx.store.db, todayInJapan(ctx));
      policy = state.version?.policy ?? ctx.policy.policy;
      shown = state.version;
    }
    const title = L('外部送信に関する公表事項', 'External transmissions');
    const service = localize(policy.service.name, lang);
    const blocks = externalTransmissionPageBlocks(policy, lang, selfName(policy).ja, `/privacy?lang=${lang}`);
    const meta = shown ? L(`プライバシーポリシー第${shown.number}版（${formatDualDate(shown.effectiveOn, 'ja')}施行）に基づく内容です。`, `As of version ${shown.number} of the privacy policy, effective ${formatDualDate(shown.effectiveOn, 'en')}.`) : undefined;
    const other: Lang = lang === 'ja' ? 'en' : 'ja';
    const self = `${EXTERNAL_TRANSMISSIONS_PATH}?${shown && q.data.version !== undefined ? `version=${shown.number}&` : ''}`;
    // On its own page the entries sit right under the title, so their headings are h2 (h3 inside the policy).
    const entries = blocks.map((b) => (b.kind === 'heading' ? html`<h2>${b.text}</h2>\n` : blockHtml(b)));
    const body = html`<article class="external-transmissions">
<h1>${title}</h1>
<p class="policy-meta">${service}${meta ? html`<br>${meta}` : ''}</p>
${entries}
${versions.length > 0 ? html`<h2>${L('これまでの版', 'Versions')}</h2><ul>${versions.map((v) => html`<li><a href="${EXTERNAL_TRANSMISSIONS_PATH}?version=${v.number}&amp;lang=${lang}">${L(`第${v.number}版`, `Version ${v.number}`)}</a> ${formatDualDate(v.effectiveOn, lang)}</li>`)}</ul>` : ''}
</article>`;
    const nav = html`<nav class="noprint" aria-label="${L('ポリシーのメニュー', 'Policy menu')}"><a href="/privacy?lang=${lang}">${L('プライバシーポリシー', 'Privacy policy')}</a> · <a href="${self}lang=${other}" lang="${other}" hreflang="${other}">${other === 'ja' ? '日本語' : 'English'}</a></nav>`;
    void reply.type('text/html; charset=utf-8').send(renderPage({ lang, title: `${title} | ${service}`, brand: service, body, nav, head: html`<style>dl.fields{display:grid;grid-template-columns:minmax(8em,14em) 1fr;border-top:1px solid var(--line)}dl.fields dt,dl.fields dd{margin:0;padding:6px 8px;border-bottom:1px solid var(--line)}dl.fields dt{font-weight:600;background:#f4f6f9}.policy-meta{color:var(--muted)}@media (max-width:600px){dl.fields{grid-template-columns:1fr}}</style>` }));
    return reply;
  });
  openapi.add('get', EXTERNAL_TRANSMISSIONS_PATH, {
    summary: '外部送信 (Telecommunications Business Act 27-12): what the pages send to whom and why (HTML)',
    tags: ['policy'],
    query: z.object({ lang: z.enum(['ja', 'en']).optional(), version: z.string().optional().describe('A published policy version (number or id); default: the one in force') }),
    responses: {
      '200': { description: 'The publication page', schema: z.string(), contentType: 'text/html' },
      '400': { description: 'MAMORI_LANG_UNSUPPORTED or MAMORI_BAD_REQUEST', schema: errorBody },
      '404': { description: 'MAMORI_POLICY_VERSION_NOT_FOUND', schema: errorBody },
    },
  });
};
