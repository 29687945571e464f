import type { Decision } from './consent-api-schemas.ts';
import type { ConsentConfig, ConsentPurpose } from './consent-config.ts';
import { html, type SafeHtml } from '../html/html.ts';
import { renderPage, type Lang } from '../html/layout.ts';

const texts = {
  ja: {
    title: '情報の利用に関する設定',
    lead: '以下の利用目的ごとに、あなたの情報を利用してよいかどうかを選べます。設定はいつでも変更でき、変更は保存した時点から反映されます。',
    choosable: '選択できる利用目的',
    required: 'サービスの提供に必要な利用目的（オフにはできません）',
    consent: '同意いただいた場合のみ利用します',
    optOut: 'オフにしない限り利用します',
    tools: '利用する外部サービス',
    perTool: 'サービスごとの設定',
    perToolHint: 'この目的を許可した場合でも、チェックを外したサービスには情報を送りません。',
    collects: '取得する情報',
    privacy: 'プライバシーポリシー',
    save: '設定を保存する',
    saved: '設定を保存しました。',
    policy: '詳しくはプライバシーポリシーをご覧ください。',
    none: '選択できる利用目的はありません。',
    signInTitle: 'ログインが必要です',
    signIn: 'この設定ページは、サービスにログインした状態で開いてください。サービスの設定画面にある「プライバシー設定」などのリンクからお越しいただくと、ご本人のアカウントの設定を表示します。',
    expired: '以前にお越しいただいた場合は、安全のため一定時間で接続を終了しています。お手数ですが、サービスからもう一度お越しください。',
    other: 'English',
  },
  en: {
    title: 'Your data use settings',
    lead: 'For each purpose below you can choose whether we may use your information. You can change this at any time; changes apply from when you save.',
    choosable: 'Purposes you can choose',
    required: 'Purposes needed to provide the service (cannot be turned off)',
    consent: 'Used only with your consent',
    optOut: 'Used unless you turn it off',
    tools: 'External services used',
    perTool: 'Each service',
    perToolHint: 'Even with this purpose allowed, we send nothing to a service you untick.',
    collects: 'Collects',
    privacy: 'Privacy policy',
    save: 'Save settings',
    saved: 'Your settings have been saved.',
    policy: 'See the privacy policy for details.',
    none: 'There are no purposes to choose.',
    signInTitle: 'Please sign in first',
    signIn: 'Open this settings page while signed in to the service: follow the privacy settings link in the service, and we will show the settings of your account.',
    expired: 'If you were here before, the connection ended after a while for your safety. Please come back from the service.',
    other: '日本語',
  },
} as const satisfies Record<Lang, Record<string, string>>;

/** What a purpose is called on the page: its category label, or where two share one, its own description. */
function purposeTitles(purposes: ConsentPurpose[], lang: Lang): Map<string, string> {
  const count = new Map<string, number>();
  for (const p of purposes) count.set(p.label[lang], (count.get(p.label[lang]) ?? 0) + 1);
  return new Map(purposes.map((p) => [p.id, (count.get(p.label[lang]) ?? 0) > 1 ? shortDescription(p.description[lang]) : p.label[lang]]));
}

/** The first sentence of a description, as a heading. */
function shortDescription(text: string): string {
  const first = /^[^。.]*[。.]?/.exec(text.trim())?.[0] ?? text;
  return first.replace(/[。.]$/, '');
}

/** A purpose with two or more named tools offers a switch per tool, as the banner does. */
export function toolSwitches(p: ConsentPurpose): ConsentPurpose['tools'] {
  const named = p.tools.filter((tool) => tool.name.trim() !== '');
  return p.choice !== 'none' && named.length > 1 ? named : [];
}

/** The form field of a tool's own switch. */
export const toolField = (purpose: string, tool: string): string => `t_${purpose}__${tool}`;

function purposeBlock(p: ConsentPurpose, title: string, lang: Lang, d: Decision | undefined, t: (typeof texts)[Lang], toolsOff: ReadonlySet<string>): SafeHtml {
  const named = p.tools.filter((tool) => tool.name.trim() !== '');
  const switches = toolSwitches(p);
  if (switches.length > 0) {
    const id = `p_${p.id}`;
    return html`<fieldset class="notice"><legend><strong>${title}</strong></legend>
<p>${p.description[lang]}</p>
<p class="muted">${p.choice === 'consent' ? t.consent : t.optOut}</p>
<label style="font-weight:400"><input type="checkbox" name="${id}" id="${id}" style="width:auto" ${d?.allowed ? 'checked' : ''}> ${lang === 'ja' ? 'この目的での利用を許可する' : 'Allow use for this purpose'}</label>
<fieldset><legend>${t.perTool}</legend><p class="muted">${t.perToolHint}</p>
${switches.map((tool) => {
  const f = toolField(p.id, tool.id);
  return html`<label style="font-weight:400"><input type="checkbox" name="${f}" id="${f}" style="width:auto" ${toolsOff.has(`${p.id}/${tool.id}`) ? '' : 'checked'}> <strong>${tool.name}</strong>${tool.provider ? html` (${tool.provider[lang]})` : ''}</label>${tool.collects.length ? html`<p class="muted">${t.collects}: ${tool.collects.map((c) => c[lang]).join(lang === 'ja' ? '、' : ', ')}${tool.privacyUrl ? html` <a href="${tool.privacyUrl}" rel="noopener">${t.privacy}</a>` : ''}</p>` : ''}`;
})}</fieldset></fieldset>`;
  }
  const tools = named.length
    ? html`<details><summary>${t.tools}</summary><ul>${named.map(
        (tool) =>
          html`<li><strong>${tool.name}</strong>${tool.provider ? html` (${tool.provider[lang]})` : ''}${tool.collects.length ? html`<br><span class="muted">${t.collects}: ${tool.collects.map((c) => c[lang]).join(lang === 'ja' ? '、' : ', ')}</span>` : ''}${tool.privacyUrl ? html` <a href="${tool.privacyUrl}" rel="noopener">${t.privacy}</a>` : ''}</li>`,
      )}</ul></details>`
    : '';
  if (p.choice === 'none') return html`<li><strong>${title}</strong>${title === shortDescription(p.description[lang]) ? '' : html`: ${p.description[lang]}`}${tools}</li>`;
  const id = `p_${p.id}`;
  return html`<fieldset class="notice"><legend><strong>${title}</strong></legend>
<p>${p.description[lang]}</p>
<p class="muted">${p.choice === 'consent' ? t.consent : t.optOut}</p>
<label style="font-weight:400"><input type="checkbox" name="${id}" id="${id}" style="width:auto" ${d?.allowed ? 'checked' : ''}> ${lang === 'ja' ? 'この目的での利用を許可する' : 'Allow use for this purpose'}</label>
${tools}</fieldset>`;
}

/** The settings page: works without JavaScript; one form with a checkbox per purpose that offers a choice (and per tool where a purpose has several). */
export function renderPreferencesPage(opts: { lang: Lang; config: ConsentConfig; decisions: Record<string, Decision>; toolsOff?: ReadonlySet<string>; csrf: string; saved: boolean; policyUrl: string; service: string }): string {
  const t = texts[opts.lang];
  const titles = purposeTitles(opts.config.purposes, opts.lang);
  const titleOf = (p: ConsentPurpose) => titles.get(p.id) ?? p.label[opts.lang];
  const choosable = opts.config.purposes.filter((p) => p.choice !== 'none');
  const required = opts.config.purposes.filter((p) => p.choice === 'none');
  const body = html`<h1>${t.title}</h1>
${opts.saved ? html`<p class="notice" role="status">${t.saved}</p>` : ''}
<p>${t.lead}</p>
<h2>${t.choosable}</h2>
${choosable.length
  ? html`<form method="post" action="/privacy-center/preferences?lang=${opts.lang}" class="stack" style="max-width:none">
<input type="hidden" name="csrf" value="${opts.csrf}">
${choosable.map((p) => purposeBlock(p, titleOf(p), opts.lang, opts.decisions[p.id], t, opts.toolsOff ?? new Set()))}
<p><button type="submit">${t.save}</button></p>
</form>`
  : html`<p>${t.none}</p>`}
<h2>${t.required}</h2>
<ul>${required.map((p) => purposeBlock(p, titleOf(p), opts.lang, undefined, t, new Set()))}</ul>
<p><a href="${opts.policyUrl}">${t.policy}</a></p>`;
  return renderPage({ lang: opts.lang, title: t.title, body, brand: opts.service, nav: languageLink(opts.lang) });
}

function languageLink(lang: Lang): SafeHtml {
  const other: Lang = lang === 'ja' ? 'en' : 'ja';
  return html`<nav aria-label="${lang === 'ja' ? '言語' : 'Language'}"><a href="/privacy-center/preferences?lang=${other}" hreflang="${other}" lang="${other}">${texts[lang].other}</a></nav>`;
}

/** Without a session: what to do, in the page's language (answered with 401). */
export function renderSignInNeededPage(opts: { lang: Lang; service: string; policyUrl: string }): string {
  const t = texts[opts.lang];
  const body = html`<h1>${t.signInTitle}</h1><p>${t.signIn}</p><p class="muted">${t.expired}</p><p><a href="${opts.policyUrl}">${t.policy}</a></p><p class="muted"><small>MAMORI_AUTH_REQUIRED</small></p>`;
  return renderPage({ lang: opts.lang, title: t.signInTitle, body, brand: opts.service, nav: languageLink(opts.lang) });
}
