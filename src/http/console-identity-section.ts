import { html, type SafeHtml } from '../html/html.ts';
import type { Lang } from '../html/layout.ts';
import type { ClaimCheck, IdentifierSource, IdentityClaim, StaffRequestView } from '../requests/request-service.ts';

/**
 * The console's "who is this request about" section (APPI 37条): the identifiers that may reach the person's data,
 * each with how it was established, and every claim beside what the verified identifiers resolved to, so a typed
 * account id that belongs to someone else is plain to see before anything is gathered, erased or stopped.
 */

function t(lang: Lang, ja: string, en: string): string {
  return lang === 'ja' ? ja : en;
}

const kindLabels: Record<string, { ja: string; en: string }> = {
  email: { ja: 'メールアドレス', en: 'Email' },
  account_id: { ja: 'アカウントID', en: 'Account id' },
  user_id: { ja: 'ユーザーID', en: 'User id' },
  username: { ja: 'ユーザー名', en: 'User name' },
  phone: { ja: '電話番号', en: 'Phone' },
  member_id: { ja: '会員番号', en: 'Member number' },
  customer_id: { ja: '顧客番号', en: 'Customer number' },
};

export function identifierKindLabel(kind: string, lang: Lang): string {
  return kindLabels[kind]?.[lang] ?? t(lang, 'その他の識別子', 'Other identifier');
}

const sourceLabels: Record<IdentifierSource, { ja: string; en: string }> = {
  email_code: { ja: 'メールの確認コードで確認済み', en: 'Verified by the email code' },
  app_assertion: { ja: 'サービスのログイン情報（署名付き）で確認済み', en: 'Verified by the service’s signed sign-in' },
  staff_confirmed: { ja: '担当者が書類で確認済み', en: 'Confirmed by staff from documents' },
  resolved: { ja: '確認済みの識別子から、システム上の登録情報で特定', en: 'Found in the systems from the verified identifiers' },
};

function checkText(c: IdentityClaim, lang: Lang): SafeHtml {
  const found = c.resolved.join('、');
  const texts: Record<ClaimCheck, SafeHtml> = {
    matches: html`<span class="ok">${t(lang, '一致：確認済みの識別子に結び付く登録情報と同じです。', 'Matches what the verified identifiers belong to.')}</span>`,
    mismatch: html`<strong class="warn">${t(lang, `不一致：確認済みの識別子に結び付くのは「${found}」です。別の方の${identifierKindLabel(c.kind, lang)}である可能性があります。`, `Mismatch: the verified identifiers belong to "${found}". This may be someone else’s ${identifierKindLabel(c.kind, lang).toLowerCase()}.`)}</strong>`,
    not_found: html`${t(lang, '確認済みの識別子に結び付く登録情報が見つかりません。', 'Nothing in the systems links the verified identifiers to this kind.')}`,
    unchecked: html`<span class="muted">${t(lang, '未照合（連携システムがないか、まだ照合していません）', 'Not checked (no connected system, or not yet checked)')}</span>`,
  };
  return texts[c.check];
}

export interface IdentitySectionOptions {
  lang: Lang;
  /** The viewer may confirm claims (requests.handle) and the state allows it. */
  canConfirm: boolean;
  formatTime: (iso: string) => string;
  who: (actor: string) => string;
  form: (action: string, title: string, inner: SafeHtml, button: string, opts?: { id?: string }) => SafeHtml;
}

export function identitySection(v: StaffRequestView, o: IdentitySectionOptions): SafeHtml {
  const { lang } = o;
  const pic = v.identity;
  const open = pic.claims.filter((c) => c.confirmation === null);
  const mismatch = open.some((c) => c.check === 'mismatch');
  const rows = [
    ...pic.trusted.map((x) => html`<tr><td>${identifierKindLabel(x.kind, lang)}</td><td>${x.value}</td><td>${sourceLabels[x.source][lang]}</td></tr>`),
    ...pic.claims.map((c) => html`<tr><td>${identifierKindLabel(c.kind, lang)}${t(lang, '（申告）', ' (claimed)')}</td><td>${c.value}</td><td>${c.from === 'requester' ? t(lang, '請求者が入力', 'Typed by the requester') : t(lang, '受付時に担当者が入力', 'Typed by staff on entry')}<br>${checkText(c, lang)}${c.confirmation ? html`<br>${t(lang, `担当者が確認済み（${o.who(c.confirmation.by)}、${o.formatTime(c.confirmation.at)}）：`, `Confirmed by ${o.who(c.confirmation.by)} on ${o.formatTime(c.confirmation.at)}: `)}<span style="white-space:pre-wrap">${c.confirmation.reason}</span>` : html`<br><em>${t(lang, '書類で確認するまで、この識別子でデータを探したり変更したりしません。', 'Until confirmed from documents, no data is searched or changed with this identifier.')}</em>`}</td></tr>`),
  ];
  const confirmForms = o.canConfirm
    ? open.map((c, i) =>
        o.form(
          'confirm-claim',
          t(lang, `申告された${identifierKindLabel(c.kind, lang)}「${c.value}」を確認済みにする`, `Confirm the claimed ${identifierKindLabel(c.kind, lang).toLowerCase()} "${c.value}"`),
          html`<input type="hidden" name="kind" value="${c.kind}"><input type="hidden" name="value" value="${c.value}">
${c.check === 'mismatch' ? html`<p class="warn">${t(lang, '確認済みの識別子とは別の方を指しています。委任状や本人確認書類で、この識別子がご本人のものであることを確かめた場合に限り確認済みにしてください。', 'This points at someone other than the verified identifiers. Confirm only when documents show it is the person’s own.')}</p>` : ''}
<div><label for="claim-reason-${i}">${t(lang, '確認した書類と内容（必須・記録されます）', 'Which documents you checked (required, recorded)')}</label><textarea id="claim-reason-${i}" name="reason" rows="2" required maxlength="1000"></textarea></div>`,
          t(lang, '申告内容を確認済みとして記録', 'Record as confirmed from documents'),
          { id: `confirm-claim-${i}` },
        ),
      )
    : [];
  const resolveForm = o.canConfirm
    ? o.form('resolve-identity', t(lang, 'システムで照合し直す', 'Check against the systems again'), html`<p class="muted">${t(lang, '確認済みの識別子が、連携しているデータベースでどの登録情報に結び付くかを改めて調べます（照合は記録されます）。', 'Asks the connected databases again which account the verified identifiers belong to (recorded).')}</p>`, t(lang, '照合する', 'Check'))
    : html``;
  return html`<h2 id="identity">${t(lang, '本人確認と識別子', 'Identity and identifiers')}</h2>
${mismatch ? html`<div class="notice error" role="alert"><p>${t(lang, '申告された識別子が、確認済みの識別子に結び付く登録情報と一致しません。申告された識別子の方のデータには、書類で確認して確認済みにするまで一切アクセスしません。', 'A claimed identifier does not match what the verified identifiers belong to. That identifier’s data is never accessed until staff confirm it from documents.')}</p></div>` : ''}
${pic.agentEmail ? html`<p class="muted">${t(lang, '代理人による請求です。確認済みのメールアドレスは代理人ご自身のもので、ご本人の識別子としては使いません。', 'An agent filed this request: the verified email is the agent’s own and is not used to find the person’s data.')}</p>` : ''}
${rows.length === 0 ? html`<p class="muted">${t(lang, 'データに用いる識別子はまだありません。', 'No identifier may reach the person’s data yet.')}</p>` : html`<table><thead><tr><th scope="col">${t(lang, '種類', 'Kind')}</th><th scope="col">${t(lang, '値', 'Value')}</th><th scope="col">${t(lang, '確認の状況', 'How it stands')}</th></tr></thead><tbody>${rows}</tbody></table>`}
${pic.resolution ? html`<p class="muted">${t(lang, `システムでの照合：${o.formatTime(pic.resolution.at)}`, `Checked against the systems: ${o.formatTime(pic.resolution.at)}`)}${pic.resolution.unavailable.length > 0 ? t(lang, `（${pic.resolution.unavailable.length}件のシステムに接続できず、結果は一部です）`, ` (${pic.resolution.unavailable.length} system(s) unreachable: partial)`) : ''}</p>` : ''}
${confirmForms.length > 0 || o.canConfirm ? html`<div class="actions">${confirmForms}${resolveForm}</div>` : ''}`;
}

/** In the identity-confirmation form: the claims the same documents also confirm (the note is then the reason). */
export function claimCheckboxes(v: StaffRequestView, lang: Lang): SafeHtml {
  const open = v.identity.claims.filter((c) => c.confirmation === null);
  if (open.length === 0) return html``;
  return html`<fieldset><legend>${t(lang, '同じ書類で確認できた申告内容', 'Claims the same documents confirm')}</legend>${open.map((c) => html`<div><label><input type="checkbox" name="claim_${c.kind}" value="${c.value}"> ${identifierKindLabel(c.kind, lang)}「${c.value}」${c.check === 'mismatch' ? html` <strong class="warn">${t(lang, '（確認済みの識別子と不一致）', '(does not match the verified identifiers)')}</strong>` : ''}</label></div>`)}</fieldset>`;
}
