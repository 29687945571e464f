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
    collects: '取得する情報',
    privacy: 'プライバシーポリシー',
    save: '設定を保存する',
    saved: '設定を保存しました。',
    policy: '詳しくはプライバシーポリシーをご覧ください。',
    none: '選択できる利用目的はありません。',
  },
  en: {
    title: 'Your data use settings',
    lead: 'For each purpose below you can choose whether we may use your information. You can change this at any time; changes apply from when you save.',
    choosable: 'Purposes you can choose',
    required: 'Purposes needed to provide the service (cannot be turned off)',
    consent: 'Used only with your consent',
    optOut: 'Used unless you turn it off',
    tools: 'External services used',
    collects: 'Collects',
    privacy: 'Privacy policy',
    save: 'Save settings',
    saved: 'Your settings have been saved.',
    policy: 'See the privacy policy for details.',
    none: 'There are no purposes to choose.',
  },
} as const satisfies Record<Lang, Record<string, string>>;

function purposeBlock(p: ConsentPurpose, lang: Lang, d: Decision | undefined, t: (typeof texts)[Lang]): SafeHtml {
  const tools = p.tools.length
    ? html`<details><summary>${t.tools}</summary><ul>${p.tools.map(
        (tool) =>
          html`<li><strong>${tool.name}</strong>${tool.provider ? html` (${tool.provider[lang]})` : ''}${tool.collects.length ? html`<br><span class="muted">${t.collects}: ${tool.collects.map((c) => c[lang]).join(lang === 'ja' ? '、' : ', ')}</span>` : ''}${tool.privacyUrl ? html` <a href="${tool.privacyUrl}" rel="noopener">${t.privacy}</a>` : ''}</li>`,
      )}</ul></details>`
    : '';
  if (p.choice === 'none') return html`<li><strong>${p.label[lang]}</strong>: ${p.description[lang]}${tools}</li>`;
  const id = `p_${p.id}`;
  return html`<fieldset class="notice"><legend><strong>${p.label[lang]}</strong></legend>
<p>${p.description[lang]}</p>
<p class="muted">${p.choice === 'consent' ? t.consent : t.optOut}</p>
<label style="font-weight:400"><input type="checkbox" name="${id}" id="${id}" style="width:auto" ${d?.allowed ? 'checked' : ''}> ${lang === 'ja' ? 'この目的での利用を許可する' : 'Allow use for this purpose'}</label>
${tools}</fieldset>`;
}

/** The settings page: works without JavaScript; one form with a checkbox per purpose that offers a choice. */
export function renderPreferencesPage(opts: { lang: Lang; config: ConsentConfig; decisions: Record<string, Decision>; csrf: string; saved: boolean; policyUrl: string }): string {
  const t = texts[opts.lang];
  const choosable = opts.config.purposes.filter((p) => p.choice !== 'none');
  const required = opts.config.purposes.filter((p) => p.choice === 'none');
  const body = html`<h1>${t.title}</h1>
${opts.saved ? html`<p class="notice" role="status">${t.saved}</p>` : ''}
<p>${t.lead}</p>
<h2>${t.choosable}</h2>
${choosable.length
  ? html`<form method="post" action="/privacy-center/preferences?lang=${opts.lang}" class="stack" style="max-width:none">
<input type="hidden" name="csrf" value="${opts.csrf}">
${choosable.map((p) => purposeBlock(p, opts.lang, opts.decisions[p.id], t))}
<p><button type="submit">${t.save}</button></p>
</form>`
  : html`<p>${t.none}</p>`}
<h2>${t.required}</h2>
<ul>${required.map((p) => purposeBlock(p, opts.lang, undefined, t))}</ul>
<p><a href="${opts.policyUrl}">${t.policy}</a></p>`;
  return renderPage({ lang: opts.lang, title: t.title, body });
}
