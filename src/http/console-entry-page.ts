import type { FastifyRequest } from 'fastify';
import type { AgentProof, DeliveryMethod, Policy, RequestKind } from '../policy/schema.ts';
import { requestKindRules } from '../law/appi/request-kinds.ts';
import { can } from '../staff/staff-permissions.ts';
import { html, type SafeHtml } from '../html/html.ts';
import { consoleLang, csrfField, csrfQuery } from './staff-auth.ts';
import { agentKindLabels, agentProofLabels, deliveryLabels, kindName } from './request-labels.ts';
import { t, messageBox, consoleStyle, type ConsoleMessage } from './console-page-parts.ts';
import { channelLabel, policyChannels } from './console-queue-page.ts';

/** The form on which staff enter a request received by post, phone or another channel. */
/** Every document kind staff can attach to a request entered by hand (the hosting seed's postal procedure and more). */
export function documentSlots(policy: Policy): Array<{ field: string; label: { ja: string; en: string } }> {
  const proofs = new Set<AgentProof>();
  for (const k of Object.keys(requestKindRules) as RequestKind[]) for (const p of policy.requests.kinds[k]?.agents.proofs ?? []) proofs.add(p);
  return [
    { field: 'doc_request_form', label: { ja: '請求書（スキャン）', en: 'Request form (scan)' } },
    { field: 'doc_identity_document', label: { ja: '本人確認書類', en: 'Identity document' } },
    ...[...proofs].map((p) => ({ field: `doc_proof_${p}`, label: agentProofLabels[p] })),
    { field: 'doc_other', label: { ja: 'その他の書類', en: 'Other document' } },
  ];
}

export interface EntryValues {
  channel: string;
  kind: string;
  lang: string;
  email: string;
  accountId: string;
  description: string;
  delivery: string;
  agentKind: string;
  agentName: string;
  agentRelationship: string;
}

export const emptyEntry: EntryValues = { channel: '', kind: '', lang: 'ja', email: '', accountId: '', description: '', delivery: '', agentKind: '', agentName: '', agentRelationship: '' };

/** The form for a request received by post, phone, email or inquiry form. */
export function entryBody(request: FastifyRequest, policy: Policy, v: EntryValues, message?: ConsoleMessage): SafeHtml {
  const lang = consoleLang(request);
  const channels = policyChannels(policy).filter((c) => c !== 'privacy_center');
  const kinds = (Object.keys(requestKindRules) as RequestKind[]).filter((k) => policy.requests.kinds[k]?.offered);
  const sel = (a: string, b: string) => (a === b ? html` selected` : '');
  const deliveries: DeliveryMethod[] = ['electronic', 'paper'];
  return html`${consoleStyle()}<h1>${t(lang, '請求の登録（郵送・電話・メール・フォーム）', 'Enter a request (post, phone, email, form)')}</h1>
${messageBox(message)}
<p class="muted">${t(lang, '郵送などで届いた請求を登録し、書類のスキャンを添付します。添付ファイルは暗号化して保存されます。', 'Record a request that arrived by post or another channel, with scans of its documents. Files are stored encrypted.')}</p>
<form method="post" action="/console/requests?${csrfQuery(request)}" enctype="multipart/form-data" class="stack" style="max-width:720px">
${csrfField(request)}
<div><label for="channel">${t(lang, '受付経路', 'Channel')}</label><select id="channel" name="channel" required>${channels.map((c) => html`<option value="${c}"${sel(v.channel, c)}>${channelLabel(policy, c, lang)}</option>`)}</select></div>
<div><label for="kind">${t(lang, '請求の種類', 'Kind of request')}</label><select id="kind" name="kind" required>${kinds.map((k) => html`<option value="${k}"${sel(v.kind, k)}>${kindName(k, lang)}</option>`)}</select></div>
<fieldset><legend>${t(lang, '回答の言語', 'Language of our answers')}</legend>
<input type="radio" id="lang-ja" name="lang" value="ja" style="width:auto"${v.lang !== 'en' ? html` checked` : ''}> <label for="lang-ja">日本語</label>
<input type="radio" id="lang-en" name="lang" value="en" style="width:auto"${v.lang === 'en' ? html` checked` : ''}> <label for="lang-en">English</label></fieldset>
<div><label for="email">${t(lang, '請求者のメールアドレス（分かる場合）', "Requester's email (if known)")}</label><input id="email" name="email" type="email" maxlength="254" value="${v.email}" aria-describedby="email-hint"><p class="muted" id="email-hint">${t(lang, '空欄の場合、通知は書面（郵送）で行います。', 'Leave empty to answer by letter.')}</p></div>
<div><label for="account_id">${t(lang, 'アカウントID（分かる場合。200文字まで）', 'Account id (if known; up to 200 characters)')}</label><input id="account_id" name="account_id" maxlength="200" value="${v.accountId}"></div>
<div><label for="description">${t(lang, '請求の内容（5,000文字まで）', 'What is requested (up to 5,000 characters)')}</label><textarea id="description" name="description" rows="4" maxlength="5000">${v.description}</textarea></div>
<fieldset><legend>${t(lang, '開示の方法（開示請求の場合）', 'Delivery (disclosure only)')}</legend>
<input type="radio" id="delivery-none" name="delivery" value="" style="width:auto"${v.delivery === '' ? html` checked` : ''}> <label for="delivery-none">${t(lang, '指定なし／開示以外', 'None / not a disclosure')}</label><br>
${deliveries.map((d) => html`<input type="radio" id="delivery-${d}" name="delivery" value="${d}" style="width:auto"${v.delivery === d ? html` checked` : ''}> <label for="delivery-${d}">${deliveryLabels[d][lang]}</label><br>`)}
</fieldset>
<fieldset><legend>${t(lang, '代理人による請求の場合', 'If an agent applies')}</legend>
<div><label for="agent_kind">${t(lang, '代理人の種類', 'Kind of agent')}</label><select id="agent_kind" name="agent_kind"><option value="">${t(lang, '代理人なし（ご本人）', 'No agent (the person)')}</option>
<option value="legal_representative"${sel(v.agentKind, 'legal_representative')}>${agentKindLabels.legal_representative[lang]}</option><option value="mandated"${sel(v.agentKind, 'mandated')}>${agentKindLabels.mandated[lang]}</option></select></div>
<div><label for="agent_name">${t(lang, '代理人の氏名', "Agent's name")}</label><input id="agent_name" name="agent_name" maxlength="200" value="${v.agentName}"></div>
<div><label for="agent_relationship">${t(lang, 'ご本人との関係', 'Relationship')}</label><input id="agent_relationship" name="agent_relationship" maxlength="200" value="${v.agentRelationship}"></div>
</fieldset>
<fieldset><legend>${t(lang, '書類のスキャン（PDF・PNG・JPEG、各10MBまで）', 'Scanned documents (PDF, PNG, JPEG; 10 MB each)')}</legend>
${documentSlots(policy).map((s) => html`<div><label for="${s.field}">${s.label[lang]}</label><input id="${s.field}" name="${s.field}" type="file" accept="application/pdf,image/png,image/jpeg"></div>`)}
</fieldset>
<div><button type="submit">${t(lang, '請求を登録する', 'Enter the request')}</button></div>
</form>`;
}
