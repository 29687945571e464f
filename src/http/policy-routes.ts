import type { FastifyReply } from 'fastify';
import { japanDay } from '../dates/japan-date.ts';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { MamoriError } from '../errors.ts';
import type { Policy } from '../policy/schema.ts';
import { buildPolicyDocument, mergedHistory } from '../policy/render-document.ts';
import { renderPolicyHtml } from '../policy/render-html.ts';
import { renderPolicyMarkdown } from '../policy/render-markdown.ts';
import { diffHtml, diffPlainText, diffPolicies } from '../policy/policy-diff.ts';
import { listVersions, requireVersion, getVersion, versionInForce, type PolicyVersion, type PolicyVersionSummary } from '../policy/policy-versions.ts';
import { formatDualDate, formatWesternDate } from '../policy/era-date.ts';
import { localize } from '../policy/load-policy.ts';
import '../policy/policy-errors.ts';
import { publishedTransmissions } from '../policy/external-transmissions.ts';
import { html, type SafeHtml } from '../html/html.ts';
import { renderPage, type Lang } from '../html/layout.ts';
import { errorBody } from './openapi.ts';
import type { RouteModule } from './route-module.ts';

const TAGS = ['policy'];

/** Query values arrive as strings (or arrays when repeated); anything else is a bad request. */
const queryValue = z.string().max(64).optional();
const pageQuery = z.object({ lang: queryValue, format: queryValue });
const diffQuery = z.object({ from: queryValue, to: queryValue, lang: queryValue, format: queryValue });
const versionParams = z.object({ id: z.string().min(1).max(64) });

const versionSummary = z.object({
  id: z.string(),
  number: z.number().int(),
  effectiveOn: z.string(),
  publishedAt: z.string(),
  note: z.string().nullable(),
  purposeChange: z.enum(['related', 'consent']).nullable(),
});
const currentPolicyResponse = z.object({
  source: z.enum(['version', 'file']).describe('version: the newest published version in force; file: the policy file the server started with (nothing published yet)'),
  version: versionSummary.nullable(),
  policy: z.record(z.string(), z.unknown()).describe('The normalized policy (see the policy file schema)'),
  externalTransmissions: z.record(z.string(), z.unknown()).describe('外部送信 (電気通信事業法27条の12): scope and, per transmission, the information sent, recipient, purpose, route and hosts, as /privacy/external-transmissions publishes them'),
});

function parseQuery<T extends z.ZodType>(schema: T, query: unknown): z.infer<T> {
  const r = schema.safeParse(query ?? {});
  if (!r.success) throw new MamoriError('MAMORI_BAD_REQUEST', 'Each query parameter may be given once, as short text.');
  return r.data;
}

/** Japanese unless `?lang=en`: the Japanese text is the authoritative policy, whatever the browser prefers. */
function langOf(value: string | undefined): Lang {
  if (value === undefined) return 'ja';
  if (value === 'ja' || value === 'en') return value;
  throw new MamoriError('MAMORI_LANG_UNSUPPORTED', `The language "${value}" is not supported: use ja or en.`);
}

function pageFormatOf(value: string | undefined): 'html' | 'md' {
  if (value === undefined || value === 'html') return 'html';
  if (value === 'md') return 'md';
  throw new MamoriError('MAMORI_FORMAT_UNSUPPORTED', `The format "${value}" is not supported: use html or md.`);
}

function diffFormatOf(value: string | undefined): 'html' | 'text' {
  if (value === undefined || value === 'html') return 'html';
  if (value === 'text') return 'text';
  throw new MamoriError('MAMORI_FORMAT_UNSUPPORTED', `The format "${value}" is not supported for a diff: use html or text.`);
}

/** What a version says about purposes of use (21条3項: a changed purpose is announced). */
function purposeChangeText(v: PolicyVersionSummary, lang: Lang): string {
  const L = (ja: string, en: string) => (lang === 'ja' ? ja : en);
  switch (v.purposeChange) {
    case null: return L('変更なし', 'Unchanged');
    case 'related': return L('変更あり（変更前の利用目的と関連性を有する範囲内の変更）', 'Changed, within what is reasonably related to the former purposes');
    case 'consent': return L('変更あり（新たな利用目的についてはご本人の同意を得たうえで利用します）', 'Changed; new purposes are used only with your consent');
    default: {
      const never: never = v.purposeChange;
      return never;
    }
  }
}

function publicSummary(v: PolicyVersionSummary): z.infer<typeof versionSummary> {
  return { id: v.id, number: v.number, effectiveOn: v.effectiveOn, publishedAt: v.publishedAt, note: v.note, purposeChange: v.purposeChange };
}

/** Calendar date (YYYY-MM-DD) of the clock in Japan, where the policy's effective dates are set. */
function todayInJapan(ctx: AppContext): string {
  return japanDay(ctx.clock.now());
}

/**
 * The policy in force: the newest published version whose effective date has come, else the policy file the server
 * was started with (with the file's own history).
 */
async function currentPolicy(ctx: AppContext): Promise<{ policy: Policy; version?: PolicyVersion; versions: PolicyVersionSummary[]; upcoming?: PolicyVersionSummary }> {
  const state = await versionInForce(ctx.store.db, todayInJapan(ctx));
  return { ...state, policy: state.version?.policy ?? ctx.policy.policy };
}

function navLinks(lang: Lang, selfPath: string): SafeHtml {
  const other: Lang = lang === 'ja' ? 'en' : 'ja';
  return html`<nav aria-label="${lang === 'ja' ? 'ポリシーのメニュー' : 'Policy menu'}" class="noprint"><a href="/privacy?lang=${lang}">${lang === 'ja' ? '現在のポリシー' : 'Current policy'}</a> · <a href="/privacy/versions?lang=${lang}">${lang === 'ja' ? '版の一覧' : 'Versions'}</a> · <a href="${selfPath}${selfPath.includes('?') ? '&' : '?'}lang=${other}" lang="${other}" hreflang="${other}">${other === 'ja' ? '日本語' : 'English'}</a></nav>`;
}

function sendPolicy(reply: FastifyReply, policy: Policy, lang: Lang, format: 'html' | 'md', opts: { version?: PolicyVersionSummary; versions: PolicyVersionSummary[]; selfPath: string; notice?: SafeHtml }): void {
  const versionOpt = opts.version ? { number: opts.version.number, effectiveOn: opts.version.effectiveOn } : undefined;
  const versionsOpt = opts.versions.map((v) => ({ number: v.number, effectiveOn: v.effectiveOn }));
  const doc = buildPolicyDocument(policy, { lang, ...(versionOpt ? { version: versionOpt } : {}), versions: versionsOpt });
  if (format === 'md') {
    void reply.type('text/markdown; charset=utf-8').send(renderPolicyMarkdown(doc));
    return;
  }
  void reply.type('text/html; charset=utf-8').send(renderPolicyHtml(doc, { nav: navLinks(lang, opts.selfPath), ...(opts.notice ? { before: opts.notice } : {}) }));
}

/**
 * The published policy: `/privacy` (in force; ja by default, `?lang=en`, `?format=md`), `/privacy/versions`,
 * `/privacy/versions/:id` (id or number), `/privacy/diff?from=&to=`, and `/api/v1/policy` (JSON).
 */
export const policyRoutes: RouteModule = (app, ctx, openapi) => {
  app.get('/privacy', async (request, reply) => {
    const q = parseQuery(pageQuery, request.query);
    const lang = langOf(q.lang);
    const format = pageFormatOf(q.format);
    const current = await currentPolicy(ctx);
    const notice = current.upcoming
      ? html`<p class="notice" role="note">${lang === 'ja' ? `本ポリシーは${formatWesternDate(current.upcoming.effectiveOn, 'ja')}に改定されます。` : `This policy will be revised on ${formatWesternDate(current.upcoming.effectiveOn, 'en')}.`} <a href="/privacy/versions/${current.upcoming.number}?lang=${lang}">${lang === 'ja' ? `改定後の内容（第${current.upcoming.number}版）` : `Read the revised version (${current.upcoming.number})`}</a>${current.version ? html` · <a href="/privacy/diff?from=${current.version.number}&amp;to=${current.upcoming.number}&amp;lang=${lang}">${lang === 'ja' ? '変更点' : 'What changes'}</a>` : ''}</p>`
      : undefined;
    sendPolicy(reply, current.policy, lang, format, { ...(current.version ? { version: current.version } : {}), versions: current.versions, selfPath: '/privacy', ...(notice ? { notice } : {}) });
    return reply;
  });
  openapi.add('get', '/privacy', {
    summary: 'The privacy policy in force (HTML, or Markdown with format=md)',
    tags: TAGS,
    query: z.object({ lang: z.enum(['ja', 'en']).optional(), format: z.enum(['html', 'md']).optional() }),
    responses: {
      '200': { description: 'The policy page', schema: z.string(), contentType: 'text/html' },
      '400': { description: 'MAMORI_LANG_UNSUPPORTED, MAMORI_FORMAT_UNSUPPORTED or MAMORI_BAD_REQUEST', schema: errorBody },
    },
  });

  app.get('/privacy/versions', async (request, reply) => {
    const q = parseQuery(pageQuery, request.query);
    const lang = langOf(q.lang);
    const versions = await listVersions(ctx.store.db);
    const today = todayInJapan(ctx);
    const L = (ja: string, en: string) => (lang === 'ja' ? ja : en);
    let body: SafeHtml;
    if (versions.length === 0) {
      const history = mergedHistory(ctx.policy.policy, {});
      body = html`<h1>${L('プライバシーポリシーの版', 'Privacy policy versions')}</h1>
<p>${L('mamori で公開した版はまだありません。現在のポリシーは、次の履歴を持つポリシーファイルから表示しています。', 'No version has been published with mamori yet. The current policy is shown from the policy file, which has this history.')}</p>
<ul>${history.map((h) => html`<li>${formatDualDate(h.date, lang)} ${h.kind === 'established' ? L('制定', 'established') : L('改定', 'revised')}${h.note ? html` — ${localize(h.note, lang)}` : ''}</li>`)}</ul>
<p><a href="/privacy?lang=${lang}">${L('現在のポリシーを見る', 'Read the current policy')}</a></p>`;
    } else {
      body = html`<h1>${L('プライバシーポリシーの版', 'Privacy policy versions')}</h1>
<table><thead><tr><th scope="col">${L('版', 'Version')}</th><th scope="col">${L('施行日', 'Effective')}</th><th scope="col">${L('備考', 'Note')}</th><th scope="col">${L('利用目的の変更', 'Purposes of use')}</th><th scope="col">${L('変更点', 'Changes')}</th></tr></thead><tbody>
${versions.map((v, i) => {
  const previous = versions[i + 1];
  const state = v.effectiveOn > today ? L('（施行前）', ' (not yet in force)') : '';
  return html`<tr><td><a href="/privacy/versions/${v.number}?lang=${lang}">${L(`第${v.number}版`, `Version ${v.number}`)}</a>${state}</td><td>${formatDualDate(v.effectiveOn, lang)}</td><td>${v.note ?? ''}</td><td>${purposeChangeText(v, lang)}</td><td>${previous ? html`<a href="/privacy/diff?from=${previous.number}&amp;to=${v.number}&amp;lang=${lang}">${L(`第${previous.number}版との比較`, `Compare with version ${previous.number}`)}</a>` : L('初版', 'First version')}</td></tr>`;
})}
</tbody></table>`;
    }
    void reply.type('text/html; charset=utf-8').send(renderPage({ lang, title: L('プライバシーポリシーの版', 'Privacy policy versions'), brand: localize(ctx.policy.policy.service.name, lang), body, nav: navLinks(lang, '/privacy/versions') }));
    return reply;
  });
  openapi.add('get', '/privacy/versions', {
    summary: 'Published versions of the privacy policy (HTML)',
    tags: TAGS,
    query: z.object({ lang: z.enum(['ja', 'en']).optional() }),
    responses: { '200': { description: 'The list of versions', schema: z.string(), contentType: 'text/html' }, '400': { description: 'MAMORI_LANG_UNSUPPORTED', schema: errorBody } },
  });

  app.get('/privacy/versions/:id', async (request, reply) => {
    const params = parseQuery(versionParams, request.params);
    const q = parseQuery(pageQuery, request.query);
    const lang = langOf(q.lang);
    const format = pageFormatOf(q.format);
    const version = await requireVersion(ctx.store.db, params.id);
    const versions = (await listVersions(ctx.store.db)).filter((v) => v.number <= version.number);
    const L = (ja: string, en: string) => (lang === 'ja' ? ja : en);
    const notice = html`<p class="notice" role="note">${L(`これは第${version.number}版（${formatWesternDate(version.effectiveOn, 'ja')}施行）です。`, `This is version ${version.number}, effective ${formatWesternDate(version.effectiveOn, 'en')}.`)} <a href="/privacy?lang=${lang}">${L('現在のポリシー', 'Current policy')}</a></p>`;
    sendPolicy(reply, version.policy, lang, format, { version, versions, selfPath: `/privacy/versions/${version.number}`, notice });
    return reply;
  });
  openapi.add('get', '/privacy/versions/:id', {
    summary: 'One published version of the privacy policy (HTML, or Markdown with format=md)',
    tags: TAGS,
    params: z.object({ id: z.string().describe('The version number (1, 2, …) or its id (pv_…)') }),
    query: z.object({ lang: z.enum(['ja', 'en']).optional(), format: z.enum(['html', 'md']).optional() }),
    responses: {
      '200': { description: 'The policy page of that version', schema: z.string(), contentType: 'text/html' },
      '400': { description: 'MAMORI_LANG_UNSUPPORTED or MAMORI_FORMAT_UNSUPPORTED', schema: errorBody },
      '404': { description: 'MAMORI_POLICY_VERSION_NOT_FOUND', schema: errorBody },
    },
  });

  app.get('/privacy/diff', async (request, reply) => {
    const q = parseQuery(diffQuery, request.query);
    const lang = langOf(q.lang);
    const format = diffFormatOf(q.format);
    const L = (ja: string, en: string) => (lang === 'ja' ? ja : en);
    const versions = await listVersions(ctx.store.db);
    const toRef = q.to ?? versions[0]?.number;
    // Nothing to compare yet is an ordinary situation for a reader, not a bad request: say so on a page.
    const nothingToCompare = (status: number, text: string) => {
      if (format === 'text') return reply.status(status).type('text/plain; charset=utf-8').send(`${text}\n`);
      const title = L('プライバシーポリシーの変更点', 'Privacy policy changes');
      const body = html`<h1>${title}</h1><p>${text}</p><p><a href="/privacy?lang=${lang}">${L('現在のプライバシーポリシー', 'The current privacy policy')}</a> · <a href="/privacy/versions?lang=${lang}">${L('これまでの版', 'All versions')}</a></p>${status >= 400 ? html`<p class="muted"><small>MAMORI_POLICY_VERSION_NOT_FOUND</small></p>` : ''}`;
      return reply.status(status).type('text/html; charset=utf-8').send(renderPage({ lang, title, brand: localize(ctx.policy.policy.service.name, lang), body, nav: navLinks(lang, '/privacy/diff') }));
    };
    if (toRef === undefined) return nothingToCompare(404, L('まだ公開された版がないため、比較できる変更点はありません。', 'No version has been published yet, so there are no changes to compare.'));
    const to = await requireVersion(ctx.store.db, toRef);
    let fromRef: string | number | undefined = q.from;
    if (fromRef === undefined) fromRef = versions.find((v) => v.number < to.number)?.number;
    if (fromRef === undefined) return nothingToCompare(200, L(`第${to.number}版は最初の版のため、比較できる以前の版はありません。`, `Version ${to.number} is the first version, so there is no earlier version to compare with.`));
    const from = await requireVersion(ctx.store.db, fromRef);
    const published = versions.map((v) => ({ number: v.number, effectiveOn: v.effectiveOn }));
    const diff = diffPolicies(from.policy, to.policy, {
      lang,
      fromLabel: L(`第${from.number}版`, `version ${from.number}`),
      toLabel: L(`第${to.number}版`, `version ${to.number}`),
      fromVersions: { version: { number: from.number, effectiveOn: from.effectiveOn }, versions: published },
      toVersions: { version: { number: to.number, effectiveOn: to.effectiveOn }, versions: published },
    });
    if (format === 'text') {
      void reply.type('text/plain; charset=utf-8').send(diffPlainText(diff));
      return reply;
    }
    const title = L(`プライバシーポリシーの変更点（第${from.number}版→第${to.number}版）`, `Privacy policy changes (version ${from.number} → ${to.number})`);
    const body = html`<h1>${title}</h1>
<p>${L(`第${from.number}版（${formatWesternDate(from.effectiveOn, 'ja')}施行）と第${to.number}版（${formatWesternDate(to.effectiveOn, 'ja')}施行）の違いを節ごとに示します。追加された文言は下線を引いた緑地、削除された文言は取り消し線を引いた赤地で示し、各節の「変更前と変更後の全文」では両方の文面をそのまま読めます。`, `Section by section, the differences between version ${from.number} (effective ${formatWesternDate(from.effectiveOn, 'en')}) and version ${to.number} (effective ${formatWesternDate(to.effectiveOn, 'en')}). Added text is underlined on green, removed text struck through on red, and each section's "Full text before and after" gives both texts in full.`)}</p>
${diffHtml(diff)}
<p><a href="/privacy/versions/${to.number}?lang=${lang}">${L(`第${to.number}版の全文`, `Full text of version ${to.number}`)}</a> · <a href="/privacy/versions/${from.number}?lang=${lang}">${L(`第${from.number}版の全文`, `Full text of version ${from.number}`)}</a></p>`;
    void reply.type('text/html; charset=utf-8').send(renderPage({ lang, title, brand: localize(to.policy.service.name, lang), body, nav: navLinks(lang, `/privacy/diff?from=${from.number}&to=${to.number}`) }));
    return reply;
  });
  openapi.add('get', '/privacy/diff', {
    summary: 'What changed between two published versions, section by section (HTML with <ins>/<del>, or text)',
    tags: TAGS,
    query: z.object({
      from: z.string().optional().describe('Version number or id; default: the version before `to`'),
      to: z.string().optional().describe('Version number or id; default: the newest version'),
      lang: z.enum(['ja', 'en']).optional(),
      format: z.enum(['html', 'text']).optional(),
    }),
    responses: {
      '200': { description: 'The diff page', schema: z.string(), contentType: 'text/html' },
      '400': { description: 'MAMORI_BAD_REQUEST (nothing to compare), MAMORI_LANG_UNSUPPORTED or MAMORI_FORMAT_UNSUPPORTED', schema: errorBody },
      '404': { description: 'MAMORI_POLICY_VERSION_NOT_FOUND', schema: errorBody },
    },
  });

  app.get('/api/v1/policy', async () => {
    const current = await currentPolicy(ctx);
    const body: z.infer<typeof currentPolicyResponse> = {
      source: current.version ? 'version' : 'file',
      version: current.version ? publicSummary(current.version) : null,
      policy: current.policy,
      externalTransmissions: { ...publishedTransmissions(current.policy) },
    };
    return body;
  });
  openapi.add('get', '/api/v1/policy', {
    summary: 'The policy in force and its version (JSON)',
    tags: TAGS,
    responses: { '200': { description: 'The current policy', schema: currentPolicyResponse } },
  });

  app.get('/api/v1/policy/versions', async () => ({ versions: (await listVersions(ctx.store.db)).map(publicSummary) }));
  openapi.add('get', '/api/v1/policy/versions', {
    summary: 'Published policy versions, newest first (JSON)',
    tags: TAGS,
    responses: { '200': { description: 'The versions', schema: z.object({ versions: z.array(versionSummary) }) } },
  });

  app.get('/api/v1/policy/versions/:id', async (request) => {
    const params = parseQuery(versionParams, request.params);
    const v = await getVersion(ctx.store.db, params.id);
    if (!v) throw new MamoriError('MAMORI_POLICY_VERSION_NOT_FOUND', `No policy version "${params.id}".`);
    return { version: publicSummary(v), policy: v.policy };
  });
  openapi.add('get', '/api/v1/policy/versions/:id', {
    summary: 'One published version with its policy (JSON)',
    tags: TAGS,
    params: z.object({ id: z.string().describe('The version number or id') }),
    responses: {
      '200': { description: 'The version', schema: z.object({ version: versionSummary, policy: z.record(z.string(), z.unknown()) }) },
      '404': { description: 'MAMORI_POLICY_VERSION_NOT_FOUND', schema: errorBody },
    },
  });

};
