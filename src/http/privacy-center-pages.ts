import type { AgentProof, DeliveryMethod, Policy, RequestKind } from '../policy/schema.ts';
import { localize } from '../policy/load-policy.ts';
import { evaluateFee } from '../law/appi/fees.ts';
import { html, type SafeHtml } from '../html/html.ts';
import { renderPage, type Lang } from '../html/layout.ts';
import { agentKindLabels, agentProofLabels, deliveryLabels, descriptionHints, kindName, onlineKinds, paymentLabels } from './request-labels.ts';
import { suspensionGrounds, suspensionGroundsFor, type SuspensionGround } from '../law/appi/suspension-grounds.ts';

/**
 * Pages of the privacy center, as pure functions of the policy and a view. Everything works without JavaScript:
 * plain forms, server-side validation, an error summary whose links move focus to the field.
 */
export interface FieldError {
  /** The id of the field (or fieldset) the message is about. */
  field: string;
  message: string;
}

export interface FilingValues {
  kind: RequestKind;
  applicant: 'self' | 'agent';
  email: string;
  accountId: string;
  description: string;
  delivery: string;
  agentKind: string;
  agentName: string;
  agentRelationship: string;
  /** Correction only: what the data says now, and what it should say (34条). */
  currentValue: string;
  correctValue: string;
  /** Suspension / stop of provision: the 35条 conditions ticked. */
  grounds: SuspensionGround[];
}

export function t(lang: Lang, ja: string, en: string): string {
  return lang === 'ja' ? ja : en;
}

/** Where the language link leads: the same page in the other language (path and query kept, e.g. the status token). */
export interface SamePage {
  path: string;
  query?: Record<string, string | undefined>;
}

export function centerPage(lang: Lang, policy: Policy, title: string, body: SafeHtml, same: SamePage = { path: '/privacy-center' }): string {
  const other: Lang = lang === 'ja' ? 'en' : 'ja';
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(same.query ?? {})) if (v) query.set(k, v);
  query.set('lang', other);
  const nav = html`<nav aria-label="${t(lang, '言語', 'Language')}"><a href="${same.path}?${query.toString()}" lang="${other}" hreflang="${other}">${other === 'ja' ? '日本語' : 'English'}</a></nav>`;
  return renderPage({ lang, title: `${title} | ${localize(policy.service.name, lang)}`, body, brand: `${localize(policy.service.name, lang)} ${t(lang, '個人情報の請求窓口', 'Privacy center')}`, nav });
}

const STEP_CSS = '.steps{display:flex;flex-wrap:wrap;gap:.25rem 1rem;list-style:none;padding:0;margin:0 0 1.5rem;font-size:.95em}.steps li{color:#57534e}.steps li[aria-current=step]{color:inherit;font-weight:bold;text-decoration:underline;text-underline-offset:.3em}';

/**
 * Where the person is in the online procedure: 1 the request, 2 the email code, 3 following it. Plain markup (an
 * ordered list with aria-current), so it reads the same with or without styles and scripts.
 */
export function stepIndicator(lang: Lang, current: 1 | 2 | 3): SafeHtml {
  const names = [t(lang, 'ご請求の内容', 'Your request'), t(lang, 'メールアドレスの確認', 'Confirm your email'), t(lang, '手続きの状況', 'Follow your request')];
  return html`<style>${STEP_CSS}</style><nav aria-label="${t(lang, '手続きの段階', 'Steps')}"><ol class="steps">${names.map((n, i) => html`<li${i + 1 === current ? html` aria-current="step"` : ''}>${i + 1}. ${n}</li>`)}</ol></nav>`;
}

export function errorSummary(lang: Lang, errors: readonly FieldError[]): SafeHtml {
  if (errors.length === 0) return html``;
  return html`<div class="notice error" role="alert" aria-labelledby="error-summary-title" id="error-summary" tabindex="-1" autofocus>
<h2 id="error-summary-title" style="margin-top:0;border:0">${t(lang, '入力内容をご確認ください', 'Please check the following')}</h2>
<ul>${errors.map((e) => html`<li><a href="#${e.field}">${e.message}</a></li>`)}</ul></div>`;
}

function fieldError(errors: readonly FieldError[], field: string): SafeHtml {
  const e = errors.find((x) => x.field === field);
  return e ? html`<p class="warn" id="${field}-error"><strong>${e.message}</strong></p>` : html``;
}

function invalidAttrs(errors: readonly FieldError[], field: string, hintId?: string): SafeHtml {
  const has = errors.some((x) => x.field === field);
  const describedBy = [hintId, has ? `${field}-error` : undefined].filter(Boolean).join(' ');
  return html`${has ? html` aria-invalid="true"` : ''}${describedBy ? html` aria-describedby="${describedBy}"` : ''}`;
}

/** `/privacy-center`: what you can ask for, and how. */
export function landingPage(lang: Lang, policy: Policy, query: string): string {
  const kinds = onlineKinds(policy);
  const body = html`<h1>${t(lang, '個人情報に関するご請求', 'Requests about your personal information')}</h1>
<p>${t(lang, `${localize(policy.operator.name, lang)}が保有するあなたの個人情報について、個人情報保護法に基づき、利用目的の通知、開示、訂正・追加・削除、利用停止・消去、第三者提供の停止をご請求いただけます。`, `Under Japan's Act on the Protection of Personal Information you may ask ${localize(policy.operator.name, lang)} to notify you of the purposes of use of your personal information, disclose it, correct it, stop using or erase it, or stop providing it to third parties.`)}</p>
${kinds.length === 0
  ? html`<p class="notice">${t(lang, 'ウェブからのご請求はお受けしていません。お手数ですが、下記の窓口へ郵送などでご請求ください。', 'We do not take requests on the web. Please use the channels below (post and others).')}</p>`
  : html`<form method="get" action="/privacy-center/new" class="stack">
<input type="hidden" name="lang" value="${lang}">
${query ? html`<input type="hidden" name="assertion" value="${query}">` : ''}
<fieldset><legend>${t(lang, 'ご請求の種類をお選びください', 'What would you like to request?')}</legend>
${kinds.map((k, i) => {
  const fee = evaluateFee(policy, k);
  return html`<div><input type="radio" id="kind-${k}" name="kind" value="${k}"${i === 0 ? html` checked` : ''} style="width:auto">
<label for="kind-${k}">${kindName(k, lang)}</label>${fee.status === 'charged' ? html` <span class="muted">${t(lang, `手数料 ${fee.wording.ja}`, `fee ${fee.wording.en}`)}</span>` : ''}</div>`;
})}
</fieldset>
<div><button type="submit">${t(lang, '次へ進む', 'Continue')}</button></div>
</form>`}
${kinds.length === 0 ? '' : html`<h2>${t(lang, 'お手続きの流れ', 'How it works')}</h2>
<ol>
<li>${t(lang, 'ご請求の内容とご連絡先のメールアドレスを入力します。', 'Describe your request and give an email address where we can reach you.')}</li>
<li>${t(lang, 'メールでお送りする6桁の確認コードを入力し、メールアドレスを確認します（サービスにログインした状態でお越しの場合は不要です）。', 'Enter the 6-digit code we email you to confirm the address (not needed when you come from the service while signed in).')}</li>
<li>${t(lang, '手続きの状況は、お送りする専用リンクからいつでもご確認いただけます。手数料や書類が必要な場合も、そのページでご案内します。', 'Follow your request at any time through the private link we send you; it also tells you about any fee or documents needed.')}</li>
</ol>`}
${otherChannels(lang, policy)}
<p class="muted"><a href="/privacy?lang=${lang}">${t(lang, 'プライバシーポリシー', 'Privacy policy')}</a></p>`;
  return centerPage(lang, policy, t(lang, '個人情報の請求窓口', 'Privacy center'), body, { path: '/privacy-center', query: { assertion: query || undefined } });
}

const contactKindWords: Record<Policy['operator']['contacts'][number]['kind'], { ja: string; en: string }> = { postal: { ja: '郵送先', en: 'Post to' }, email: { ja: 'メール', en: 'Email' }, phone: { ja: '電話', en: 'Phone' }, web_form: { ja: 'お問い合わせフォーム', en: 'Web form' } };

/**
 * Kinds accepted through other channels (post, email, forms): each channel once, with the kinds it takes (a postal
 * channel shows its full address and addressee), then per kind only what differs: form, documents, fee, postage.
 */
function otherChannels(lang: Lang, policy: Policy): SafeHtml {
  const kinds = (Object.keys(policy.requests.kinds) as RequestKind[]).filter((k) => {
    const p = policy.requests.kinds[k];
    return p !== undefined && p.offered && p.channels.some((c) => c !== 'privacy_center');
  });
  if (kinds.length === 0) return html``;
  const channels = policy.operator.contacts
    .map((c) => ({ contact: c, kinds: kinds.filter((k) => policy.requests.kinds[k]?.channels.includes(c.id)) }))
    .filter((c) => c.kinds.length > 0);
  const sep = t(lang, '、', ', ');
  return html`<h2>${t(lang, 'ウェブ以外でのご請求', 'Other ways to make a request')}</h2>
<p>${t(lang, '次の窓口でもご請求をお受けしています。', 'We also accept requests through the following channels.')}</p>
${channels.map(({ contact: c, kinds: ks }) => html`<div class="notice"><p><strong>${c.label ? localize(c.label, lang) : contactKindWords[c.kind][lang]}</strong></p>
<p>${c.kind === 'postal' ? html`${contactKindWords.postal[lang]}: ` : ''}<span style="white-space:pre-line">${localize(c.value, lang)}</span>${c.attention ? html`<br>${localize(c.attention, lang)}` : ''}${c.hours ? html`<br><span class="muted">${localize(c.hours, lang)}</span>` : ''}</p>
<p class="muted">${t(lang, '受け付けるご請求', 'Requests accepted')}: ${ks.map((k) => kindName(k, lang)).join(sep)}</p></div>`)}
${kinds.map((k) => {
  const proc = policy.requests.kinds[k];
  if (!proc) return html``;
  const fee = evaluateFee(policy, k);
  const details: SafeHtml[] = [];
  if (proc.forms.length > 0) details.push(html`<li>${t(lang, '所定の書式', 'Form')}: ${proc.forms.map((f, i) => html`${i > 0 ? sep : ''}${f.url ? html`<a href="${f.url}">${localize(f.name, lang)}</a>` : localize(f.name, lang)}`)}</li>`);
  if (proc.identity_documents.length > 0) details.push(html`<li>${t(lang, '本人確認書類（いずれか1点の写し）', 'Identity document (a copy of one)')}: ${proc.identity_documents.map((d) => localize(d, lang)).join(sep)}</li>`);
  if (proc.agents.allowed && proc.agents.proofs.length > 0 && proc.channels.some((c) => c !== 'privacy_center' && policy.operator.contacts.find((x) => x.id === c)?.kind === 'postal')) details.push(html`<li>${t(lang, '代理人の場合に必要な書類', 'Documents an agent needs')}: ${proc.agents.proofs.map((p) => agentProofLabels[p][lang]).join(sep)}</li>`);
  if (fee.status === 'charged') details.push(html`<li>${t(lang, `手数料: ${fee.wording.ja}（${fee.payment.map((m) => paymentLabels[m].ja).join('、')}）`, `Fee: ${fee.wording.en} (${fee.payment.map((m) => paymentLabels[m].en).join(', ')})`)}</li>`);
  const bank = proc.fee?.bank_account;
  if (fee.status === 'charged' && bank && fee.payment.includes('bank_transfer')) {
    const type = bank.type === 'ordinary' ? t(lang, '普通預金', 'ordinary account') : t(lang, '当座預金', 'checking account');
    details.push(html`<li>${t(lang, '振込先', 'Transfer to')}: ${localize(bank.bank, lang)} ${localize(bank.branch, lang)} ${type} ${bank.number} ${bank.holder_kana}${t(lang, '（お支払い番号は受付後にご案内します）', ' (we send you a payment reference once we receive the request)')}</li>`);
  }
  if (fee.status === 'charged' && proc.fee?.payment_url) details.push(html`<li>${t(lang, 'お支払いページ', 'Payment page')}: <a href="${proc.fee.payment_url}" rel="noopener">${proc.fee.payment_url}</a></li>`);
  if (proc.requester_pays_postage) details.push(html`<li>${t(lang, '郵送料はご請求者のご負担となります。', 'Postage is paid by the requester.')}</li>`);
  return details.length > 0 ? html`<h3>${kindName(k, lang)}</h3><ul>${details}</ul>` : html``;
})}`;
}

/** `/privacy-center/new?kind=…`: the filing form for one kind. */
export function filingFormPage(lang: Lang, policy: Policy, v: FilingValues, errors: readonly FieldError[], opts: { assertion?: string; assertedEmail?: string }): string {
  const proc = policy.requests.kinds[v.kind];
  if (!proc) throw new Error('filingFormPage: kind not in policy');
  const fee = evaluateFee(policy, v.kind);
  const deliveries: DeliveryMethod[] = v.kind === 'disclosure' ? (proc.delivery ?? ['electronic', 'paper']) : [];
  const agents = proc.agents;
  const proofs: AgentProof[] = agents.proofs;
  // 35条1項・3項・5項: the law's conditions, shown so the person can say which applies.
  const grounds = suspensionGroundsFor(v.kind);
  const radio = (name: string, value: string, checked: boolean, label: string, id: string): SafeHtml =>
    html`<div><input type="radio" id="${id}" name="${name}" value="${value}"${checked ? html` checked` : ''} style="width:auto"> <label for="${id}" style="font-weight:400">${label}</label></div>`;
  const correction = v.kind === 'correction';
  const body = html`${stepIndicator(lang, 1)}<h1>${kindName(v.kind, lang)}${t(lang, 'のご請求', '')}</h1>
${errorSummary(lang, errors)}
${proc.note ? html`<p class="notice">${localize(proc.note, lang)}</p>` : ''}
${fee.status === 'charged'
  ? html`<p class="notice">${t(lang, `このご請求には手数料 ${fee.wording.ja} がかかります。お支払い方法（${fee.payment.map((m) => paymentLabels[m].ja).join('、')}）は、受付後に手続き状況のページとメールでご案内します。`, `This request has a fee of ${fee.wording.en}. We explain how to pay (${fee.payment.map((m) => paymentLabels[m].en).join(', ')}) on your status page and by email after we receive it.`)}</p>`
  : ''}
<form method="post" action="/privacy-center/requests?lang=${lang}" enctype="multipart/form-data" class="stack" novalidate>
<input type="hidden" name="kind" value="${v.kind}">
<input type="hidden" name="lang" value="${lang}">
${opts.assertion ? html`<input type="hidden" name="assertion" value="${opts.assertion}">` : ''}
<fieldset id="applicant"><legend>${t(lang, 'ご請求される方', 'Who is making the request?')}</legend>
${radio('applicant', 'self', v.applicant !== 'agent', t(lang, 'ご本人', 'I am the person the data is about'), 'applicant-self')}
${agents.allowed ? radio('applicant', 'agent', v.applicant === 'agent', t(lang, '代理人（ご本人に代わって請求します）', 'An agent acting for the person'), 'applicant-agent') : ''}
</fieldset>
<div><label for="email">${t(lang, 'ご連絡先のメールアドレス（必須）', 'Email address for our replies (required)')}</label>
<p class="muted" id="email-hint">${opts.assertedEmail ? t(lang, 'サービスにログイン中のため、このアドレスは確認済みです。', 'You are signed in to the service, so this address is already confirmed.') : t(lang, '確認コードと手続きのご案内をお送りします。代理人の方は、代理人ご自身のアドレスをご記入ください。', 'We send the confirmation code and updates here. Agents: give your own address.')}</p>
<input id="email" name="email" type="email" autocomplete="email" required value="${opts.assertedEmail ?? v.email}"${opts.assertedEmail ? html` readonly` : ''}${invalidAttrs(errors, 'email', 'email-hint')}>
${fieldError(errors, 'email')}</div>
<div><label for="account_id">${t(lang, 'アカウントID（任意）', 'Account id (optional)')}</label>
<p class="muted" id="account_id-hint">${t(lang, 'ご登録のユーザー名やIDが分かれば、ご本人の情報を特定しやすくなります。', 'Your user name or id helps us find your data.')}</p>
<input id="account_id" name="account_id" autocomplete="username" value="${v.accountId}"${invalidAttrs(errors, 'account_id', 'account_id-hint')}>
${fieldError(errors, 'account_id')}</div>
${grounds.length > 0
  ? html`<fieldset id="grounds"><legend>${t(lang, 'ご請求の理由（個人情報保護法35条。当てはまるものをすべてお選びください）', 'Why you ask (APPI Art. 35; tick all that apply)')}</legend>
${grounds.map((g) => html`<div><input type="checkbox" id="ground-${g}" name="ground_${g}" value="1"${v.grounds.includes(g) ? html` checked` : ''} style="width:auto"> <label for="ground-${g}" style="font-weight:400">${suspensionGrounds[g].label[lang]}</label></div>`)}
<p class="muted">${t(lang, '具体的な事情は「ご請求の内容」にご記入ください。', 'Please describe the details under "Your request".')}</p>
${fieldError(errors, 'grounds')}</fieldset>`
  : ''}
${correction
  ? html`<div><label for="current_value">${t(lang, '訂正を求める情報の現在の内容（必須）', 'What the information says now (required)')}</label>
<p class="muted" id="current_value-hint">${t(lang, '例: 登録されている住所「東京都港区芝1-2-3」', 'e.g. the registered address "1-2-3 Shiba, Minato-ku, Tokyo"')}</p>
<textarea id="current_value" name="current_value" rows="2" maxlength="2000" required${invalidAttrs(errors, 'current_value', 'current_value-hint')}>${v.currentValue}</textarea>
${fieldError(errors, 'current_value')}</div>
<div><label for="correct_value">${t(lang, '正しい内容（必須）', 'What it should say (required)')}</label>
<p class="muted" id="correct_value-hint">${t(lang, '追加や削除をご希望の場合は、その旨をご記入ください。例: 「東京都港区芝4-5-6」に訂正', 'To add or delete, say so. e.g. correct to "4-5-6 Shiba, Minato-ku, Tokyo"')}</p>
<textarea id="correct_value" name="correct_value" rows="2" maxlength="2000" required${invalidAttrs(errors, 'correct_value', 'correct_value-hint')}>${v.correctValue}</textarea>
${fieldError(errors, 'correct_value')}</div>`
  : ''}
<div><label for="description">${correction ? t(lang, '補足（任意）', 'Anything else (optional)') : t(lang, 'ご請求の内容（必須）', 'Your request (required)')}</label>
<p class="muted" id="description-hint">${descriptionHints[v.kind][lang]}</p>
<textarea id="description" name="description" rows="5"${correction ? '' : html` required`}${invalidAttrs(errors, 'description', 'description-hint')}>${v.description}</textarea>
${fieldError(errors, 'description')}</div>
${deliveries.length > 0
  ? html`<fieldset id="delivery"${invalidAttrs(errors, 'delivery')}><legend>${t(lang, '開示の方法（ご希望をお選びください）', 'How should we disclose it?')}</legend>
${deliveries.map((d, i) => radio('delivery', d, v.delivery ? v.delivery === d : i === 0, deliveryLabels[d][lang], `delivery-${d}`))}
${fieldError(errors, 'delivery')}</fieldset>`
  : ''}
${agents.allowed
  ? html`<style>form:has(#applicant-self:checked) #agent{display:none}</style><fieldset id="agent"><legend>${t(lang, '代理人が請求する場合のみご記入ください', 'Only if you are an agent')}</legend>
<fieldset id="agent_kind"${invalidAttrs(errors, 'agent_kind')}><legend>${t(lang, '代理人の種類', 'Kind of agent')}</legend>
${agents.kinds.map((k) => radio('agent_kind', k, v.agentKind === k, agentKindLabels[k][lang], `agent_kind-${k}`))}
${fieldError(errors, 'agent_kind')}</fieldset>
<div><label for="agent_name">${t(lang, '代理人のお名前', "Agent's name")}</label>
<input id="agent_name" name="agent_name" autocomplete="name" value="${v.agentName}"${invalidAttrs(errors, 'agent_name')}>${fieldError(errors, 'agent_name')}</div>
<div><label for="agent_relationship">${t(lang, 'ご本人との関係', 'Relationship to the person')}</label>
<p class="muted" id="agent_relationship-hint">${t(lang, '例: 母、成年後見人、ご本人から委任を受けた弁護士', 'e.g. mother, adult guardian, lawyer mandated by the person')}</p>
<input id="agent_relationship" name="agent_relationship" value="${v.agentRelationship}"${invalidAttrs(errors, 'agent_relationship', 'agent_relationship-hint')}>${fieldError(errors, 'agent_relationship')}</div>
<fieldset id="proofs"${invalidAttrs(errors, 'proofs', 'proofs-hint')}><legend>${t(lang, '代理権を確認する書類', 'Documents proving the authority to act')}</legend>
<p class="muted" id="proofs-hint">${t(lang, 'PDF・PNG・JPEG形式、1ファイル10MBまで。マイナンバー（個人番号）や本籍地の記載は、黒塗りにしてからお送りください。', 'PDF, PNG or JPEG, up to 10 MB each. Please black out any My Number (individual number) and registered domicile before sending.')}</p>
${proofs.map((p) => html`<div><label for="proof_${p}">${agentProofLabels[p][lang]}</label>
<input id="proof_${p}" name="proof_${p}" type="file" accept="application/pdf,image/png,image/jpeg"></div>`)}
${fieldError(errors, 'proofs')}</fieldset>
</fieldset>`
  : ''}
<div><button type="submit">${t(lang, 'この内容で請求する', 'Send the request')}</button></div>
</form>
<p><a href="/privacy-center?lang=${lang}">${t(lang, '← 請求の種類の選択に戻る', '← Back to the list of requests')}</a></p>`;
  return centerPage(lang, policy, kindName(v.kind, lang), body, { path: '/privacy-center/new', query: { kind: v.kind, assertion: opts.assertion } });
}

/** The one-time code step. */
export function verifyPage(lang: Lang, policy: Policy, action: string, errors: readonly FieldError[], opts: { resendAction: string; notice?: string; same?: SamePage }): string {
  const body = html`${stepIndicator(lang, 2)}<h1>${t(lang, 'メールアドレスの確認', 'Confirm your email address')}</h1>
${errorSummary(lang, errors)}
${opts.notice ? html`<p class="notice" role="status">${opts.notice}</p>` : ''}
<p>${t(lang, 'ご入力いただいたアドレスに6桁の確認コードをお送りしました。メールに記載のコードを10分以内にご入力ください。', 'We have emailed you a 6-digit code. Please enter it within 10 minutes.')}</p>
<form method="post" action="${action}" class="stack" novalidate>
<div><label for="code">${t(lang, '確認コード（6桁の数字）', 'Code (6 digits)')}</label>
<input id="code" name="code" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" autocomplete="one-time-code" required style="max-width:12em"${invalidAttrs(errors, 'code')}>
${fieldError(errors, 'code')}</div>
<div><button type="submit">${t(lang, '確認する', 'Confirm')}</button></div>
</form>
<form method="post" action="${opts.resendAction}" class="stack">
<p class="muted">${t(lang, 'メールが届かない場合や、コードの有効期限が切れた場合は、新しいコードをお送りします。迷惑メールフォルダもご確認ください。', 'No mail, or the code expired? We can send a new one. Please also check your spam folder.')}</p>
<div><button type="submit" class="secondary">${t(lang, '新しいコードを送る', 'Send a new code')}</button></div>
</form>`;
  return centerPage(lang, policy, t(lang, 'メールアドレスの確認', 'Confirm your email'), body, opts.same);
}

/** A 4xx page that says what went wrong and what to do next. */
export function centerErrorPage(lang: Lang, policy: Policy, e: { title: string; message: string; next: string; code: string; back?: { href: string; label: string } }): string {
  const body = html`<h1>${e.title}</h1>
<div class="notice error" role="alert"><p>${e.message}</p><p>${e.next}</p></div>
<p class="muted"><small>${t(lang, 'エラーコード', 'Error code')}: ${e.code}</small></p>
<p><a href="${e.back?.href ?? `/privacy-center?lang=${lang}`}">${e.back?.label ?? t(lang, '請求窓口のトップへ戻る', 'Back to the privacy center')}</a></p>`;
  return centerPage(lang, policy, e.title, body);
}
