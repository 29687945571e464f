import type { Policy, Text, RequestKind, RequestProcedure, IdentityMethod, AgentKind, AgentProof, PaymentMethod, DeliveryMethod, ContactKind, SubjectGroupKind, PolicyDataItem, AcquisitionMethod } from './schema.ts';
import { externalTransmissionSection } from './render-external-transmissions.ts';
import { requestKinds } from './schema.ts';
import { taxonomyEntry } from './taxonomy.ts';
import { toolCatalog, type CatalogTool } from './tool-catalog.ts';
import { requestKindRules, feeAllowed } from '../law/appi/request-kinds.ts';
import { groundsFor, refusalGrounds } from '../law/appi/refusal-grounds.ts';
import { statutoryExceptions } from '../law/appi/statutory-exceptions.ts';
import { formatDualDate, formatWesternDate } from './era-date.ts';

/**
 * The published policy as a language-resolved document: numbered sections made of a few block kinds. The HTML and
 * Markdown renderers serialize it, and the diff compares two of them section by section, so all three agree on what
 * a section says.
 */
export type Lang = 'ja' | 'en';

/** Inline content: plain text, or a link. */
export type Inline = string | { href: string; text: string } | { code: string };
export type Rich = Inline[];

export type Block =
  | { kind: 'heading'; text: string }
  | { kind: 'paragraph'; content: Rich }
  | { kind: 'list'; items: Rich[]; ordered?: boolean }
  | { kind: 'table'; head: string[]; rows: Rich[][] }
  | { kind: 'fields'; items: Array<{ term: string; content: Rich }> };

/** Every section a policy can have, in the order they appear. Sections that do not apply are omitted. */
export const sectionKeys = [
  'operator', 'definitions', 'acquisition', 'purposes', 'purpose_changes', 'provision', 'opt_out', 'outsourcing',
  'succession', 'joint_use', 'foreign', 'tools', 'external_transmissions', 'retention', 'security', 'rights', 'statistics', 'contact',
  'accredited', 'changes', 'history',
] as const;
export type SectionKey = (typeof sectionKeys)[number];

export interface PolicySection {
  key: SectionKey;
  /** The HTML id (stable across versions and languages). */
  id: string;
  number: number;
  title: string;
  blocks: Block[];
}

export interface PolicyDocument {
  lang: Lang;
  title: string;
  serviceName: string;
  intro: Block[];
  /** Lines such as 制定日 / 最終改定日 / 施行日 shown under the title. */
  meta: string[];
  sections: PolicySection[];
  /** Closing line (e.g. 以上). */
  closing?: string;
}

export interface DocumentOptions {
  lang: Lang;
  version?: { number: number; effectiveOn: string };
  versions?: Array<{ number: number; effectiveOn: string }>;
  /** Where the online privacy center is (absolute or site-relative). Default `/privacy-center`. */
  privacyCenterUrl?: string;
  /** Where the 外部送信 page is (absolute or site-relative). Default `/privacy/external-transmissions`. */
  externalTransmissionsUrl?: string;
}

/** How the operator refers to itself. Japanese policies pick this from who the operator is (当社, 当サーバー …). */
export interface SelfName {
  ja: string;
  en: string;
}

/**
 * A short self-name: corporations say 当社; associations 当団体; an individual running a server or site names the
 * service it runs (当サーバー, 当サイト), otherwise 運営者.
 * @example selfName({ operator: { kind: 'corporation' } , … }) // { ja: '当社', en: 'we' }
 */
export function selfName(policy: Policy): SelfName {
  switch (policy.operator.kind) {
    case 'corporation':
      return { ja: '当社', en: 'we' };
    case 'association':
      return { ja: '当団体', en: 'we' };
    case 'individual': {
      const name = `${text(policy.service.name, 'ja')} ${text(policy.service.name, 'en')}`.toLowerCase();
      if (/サーバー|サーバ|server|instance|インスタンス|misskey|mastodon/.test(name)) return { ja: '当サーバー', en: 'we' };
      if (/サイト|site|blog|ブログ/.test(name)) return { ja: '当サイト', en: 'we' };
      return { ja: '運営者', en: 'we' };
    }
    default: {
      const never: never = policy.operator.kind;
      return never;
    }
  }
}

function text(value: Text, lang: Lang): string {
  return typeof value === 'string' ? value : value[lang];
}

const groupKindNames: Record<SubjectGroupKind, { ja: string; en: string }> = {
  users: { ja: 'ユーザー', en: 'Users' },
  customers: { ja: 'お客様', en: 'Customers' },
  site_visitors: { ja: 'ウェブサイトの閲覧者', en: 'Website visitors' },
  inquirers: { ja: 'お問い合わせをされた方', en: 'People who contact us' },
  job_applicants: { ja: '採用応募者', en: 'Job applicants' },
  employees: { ja: '従業員', en: 'Employees' },
  business_partners: { ja: 'お取引先', en: 'Business partners' },
  member_end_users: { ja: '会員企業のエンドユーザー', en: 'End users of member organizations' },
  members: { ja: '会員', en: 'Members' },
};

const acquisitionNames: Record<AcquisitionMethod, { ja: string; en: string }> = {
  direct: { ja: 'ご本人から直接', en: 'From you directly' },
  automatic: { ja: '本サービスのご利用に伴い自動的に', en: 'Automatically as you use the service' },
  third_party: { ja: '第三者からの提供', en: 'From third parties' },
  public_sources: { ja: '公開されている情報から', en: 'From public sources' },
};

const contactKindNames: Record<ContactKind, { ja: string; en: string }> = {
  web_form: { ja: 'お問い合わせフォーム', en: 'Web form' },
  email: { ja: '電子メール', en: 'Email' },
  postal: { ja: '郵送', en: 'Post' },
  phone: { ja: '電話', en: 'Phone' },
};

const identityNames: Record<IdentityMethod, { ja: string; en: string }> = {
  email_code: { ja: 'ご登録のメールアドレスに送信する確認コードの入力', en: 'Entering a confirmation code sent to your registered email address' },
  app_assertion: { ja: '本サービスにログインした状態での手続（ログインによる本人確認）', en: 'Making the request while signed in to the service (identity confirmed by your sign-in)' },
  id_document: { ja: '本人確認書類の写しのご提出', en: 'Submitting a copy of an identity document' },
  account_details: { ja: 'ご登録内容（アカウント情報等）との照合', en: 'Checking the details you give against your registered account' },
  postal_address_check: { ja: 'ご登録の住所への郵送による確認', en: 'Confirmation by post to your registered address' },
};

const agentKindNames: Record<AgentKind, { ja: string; en: string }> = {
  legal_representative: { ja: '未成年者又は成年被後見人の法定代理人', en: 'The legal representative of a minor or of an adult under guardianship' },
  mandated: { ja: 'ご本人が委任した代理人', en: 'An agent you have authorized' },
};

const agentProofNames: Record<AgentProof, { ja: string; en: string }> = {
  power_of_attorney: { ja: 'ご本人が署名（記名）押印した委任状', en: 'A power of attorney signed (and sealed) by you' },
  seal_certificate: { ja: '委任状に押印されたご本人の印鑑登録証明書', en: 'Your seal registration certificate for the seal on the power of attorney' },
  family_register: { ja: '戸籍謄本等、法定代理権を確認できる書類', en: 'A family register extract or another document showing legal representation' },
  guardianship_certificate: { ja: '成年後見登記事項証明書', en: 'A certificate of registered guardianship matters' },
  agent_identity_document: { ja: '代理人ご自身の本人確認書類', en: 'An identity document of the agent' },
  resident_record: { ja: '住民票の写し', en: 'A certified copy of the residence record' },
};

const paymentNames: Record<PaymentMethod, { ja: string; en: string }> = {
  bank_transfer: { ja: '銀行振込（振込手数料はご負担ください）', en: 'Bank transfer (transfer charges are yours to bear)' },
  card: { ja: 'クレジットカード', en: 'Credit card' },
  postal_money_order: { ja: '定額小為替', en: 'Postal money order' },
  convenience_store: { ja: 'コンビニエンスストアでのお支払い', en: 'Payment at a convenience store' },
  cash_on_site: { ja: '窓口での現金によるお支払い', en: 'Cash at our office' },
};

const deliveryNames: Record<DeliveryMethod, { ja: string; en: string }> = {
  electronic: { ja: '電磁的記録の提供（ダウンロード等）', en: 'Electronic records (for example, a download)' },
  paper: { ja: '書面の郵送', en: 'Paper documents sent by post' },
  other: { ja: '当社が定めるその他の方法', en: 'Another method we specify' },
};

/** Builds the document for one language. Pure: the same policy and options give the same document. */
export function buildPolicyDocument(policy: Policy, opts: DocumentOptions): PolicyDocument {
  const lang = opts.lang;
  const L = (ja: string, en: string): string => (lang === 'ja' ? ja : en);
  const t = (value: Text): string => text(value, lang);
  const self = selfName(policy);
  const service = t(policy.service.name);
  const list = (items: string[]): string => items.join(L('、', ', '));
  /** 「A、B又はC」 / "A, B or C". */
  const listOr = (items: string[]): string => joinLast(items, L('、', ', '), L('又は', ' or '));
  /** 「A、B及びC」 / "A, B and C". */
  const listAnd = (items: string[]): string => joinLast(items, L('、', ', '), L('及び', ' and '));

  const dataById = new Map(policy.data.map((d) => [d.id, d]));
  const groupById = new Map(policy.subject_groups.map((g) => [g.id, g]));
  const purposeById = new Map(policy.purposes.map((p) => [p.id, p]));
  const contactById = new Map(policy.operator.contacts.map((c) => [c.id, c]));
  const dataName = (d: PolicyDataItem): string => (d.name ? t(d.name) : taxonomyEntry(d.category).name[lang]);
  const dataNames = (ids: string[]): string => list(ids.map((id) => { const d = dataById.get(id); return d ? dataName(d) : id; }));
  const isSensitive = (d: PolicyDataItem): boolean => d.sensitive ?? taxonomyEntry(d.category).sensitive;
  const natureOf = (d: PolicyDataItem) => d.nature ?? taxonomyEntry(d.category).nature;
  const region = new Intl.DisplayNames([lang], { type: 'region' });
  const countryName = (code: string): string => region.of(code) ?? code;
  const contactInline = (id: string): Rich => {
    if (id === 'privacy_center') {
      return [{ href: opts.privacyCenterUrl ?? '/privacy-center', text: L('プライバシーセンター（オンライン受付）', 'Privacy center (online requests)') }];
    }
    const c = contactById.get(id);
    if (!c) return [id];
    const label = c.label ? t(c.label) : contactKindNames[c.kind][lang];
    const value = t(c.value);
    const extra: string[] = [];
    if (c.attention) extra.push(t(c.attention));
    if (c.hours) extra.push(L(`受付時間: ${t(c.hours)}`, `Hours: ${t(c.hours)}`));
    const tail = extra.length > 0 ? L(`（${extra.join('、')}）`, ` (${extra.join('; ')})`) : '';
    switch (c.kind) {
      case 'web_form':
        return [`${label}: `, { href: value, text: value }, tail];
      case 'email':
        return [`${label}: `, { href: `mailto:${value}`, text: value }, tail];
      case 'postal':
      case 'phone':
        return [`${label}: ${value}${tail}`];
      default: {
        const never: never = c.kind;
        return never;
      }
    }
  };
  const p = (...content: Inline[]): Block => ({ kind: 'paragraph', content });
  const ul = (items: string[]): Block => ({ kind: 'list', items: items.map((i) => [i]) });

  const sections: Array<{ key: SectionKey; title: string; blocks: Block[] }> = [];
  const add = (key: SectionKey, title: string, blocks: Block[]) => sections.push({ key, title, blocks });

  // 1. Operator
  {
    const op = policy.operator;
    const items: Array<{ term: string; content: Rich }> = [{ term: L('名称', 'Name'), content: [t(op.name)] }];
    if (op.address) items.push({ term: L('住所', 'Address'), content: [t(op.address)] });
    if (op.representative) items.push({ term: L('代表者', 'Representative'), content: [t(op.representative)] });
    if (op.privacy_officer) items.push({ term: L('個人情報の取扱いに関する責任者', 'Person responsible for personal information'), content: [t(op.privacy_officer)] });
    add('operator', L('事業者の名称・住所・代表者', 'Who we are'), [
      p(L(`本サービスを運営し、個人情報を取り扱う事業者は次のとおりです。`, `The service is run by the following operator, which handles personal information under this policy.`)),
      { kind: 'fields', items },
    ]);
  }

  // 2. Definitions
  {
    const items: Array<{ term: string; content: Rich }> = [
      { term: L('個人情報', 'Personal information'), content: [L('生存する個人に関する情報のうち、氏名・生年月日などの記述によって特定の個人を識別できるもの（他の情報と容易に照合でき、それにより特定の個人を識別できるものを含みます。）、又は個人識別符号が含まれるものをいいます。', 'Information about a living individual that identifies a specific person by name, date of birth or other descriptions (including information that can easily be matched with other information to identify the person), or that contains an individual identification code.')] },
      { term: L('個人データ', 'Personal data'), content: [L('個人情報データベース等（個人情報を検索できるように体系的に構成したもの）を構成する個人情報をいいます。', 'Personal information that forms part of a database or other collection organized so that personal information can be searched.')] },
      { term: L('保有個人データ', 'Retained personal data'), content: [L(`${self.ja}が開示、訂正、利用停止等を行う権限を有する個人データをいいます。`, 'Personal data that we have the authority to disclose, correct, stop using and so on.')] },
    ];
    if (policy.data.some((d) => natureOf(d) === 'person_related')) {
      items.push({ term: L('個人関連情報', 'Person-related information'), content: [L('生存する個人に関する情報のうち、個人情報、仮名加工情報及び匿名加工情報のいずれにも該当しないもの（Cookie等の識別子に結び付いた閲覧履歴等）をいいます。', 'Information about a living individual that is not personal information, pseudonymized information or anonymized information, such as a browsing history tied to a cookie identifier.')] });
    }
    if (policy.data.some(isSensitive)) {
      items.push({ term: L('要配慮個人情報', 'Special care-required personal information'), content: [L('人種、信条、社会的身分、病歴、犯罪の経歴、犯罪により害を被った事実その他、本人に対する不当な差別や偏見その他の不利益が生じないよう、その取扱いに特に配慮を要する個人情報をいいます。', 'Personal information that needs special care so that it causes no unfair discrimination, prejudice or other disadvantage, such as race, creed, social status, medical history, criminal record or having been the victim of a crime.')] });
    }
    if (policy.statistics?.pseudonymized?.produces) {
      items.push({ term: L('仮名加工情報', 'Pseudonymized information'), content: [L('他の情報と照合しない限り特定の個人を識別できないように個人情報を加工して得られる情報をいいます。', 'Information made from personal information so that it cannot identify a specific person unless matched with other information.')] });
    }
    if (policy.statistics?.anonymized?.produces) {
      items.push({ term: L('匿名加工情報', 'Anonymized information'), content: [L('特定の個人を識別できず、かつ、当該個人情報を復元できないように個人情報を加工して得られる情報をいいます。', 'Information made from personal information so that no specific person can be identified and the personal information cannot be restored.')] });
    }
    add('definitions', L('用語の定義', 'Definitions'), [
      p(L('本ポリシーにおける用語の意味は、個人情報保護法の定めに従い、次のとおりとします。', 'In this policy, the following terms have the meanings given by the Act on the Protection of Personal Information.')),
      { kind: 'fields', items },
    ]);
  }

  // 3. What we acquire and how, per subject group
  {
    const blocks: Block[] = [p(L(`${self.ja}は、適正な手段により、次の情報を取得します。偽りその他不正の手段により個人情報を取得することはありません。`, `We acquire the following information by proper means. We never acquire personal information by deception or other improper means.`))];
    for (const g of policy.subject_groups) {
      const items = policy.data.filter((d) => d.subject_groups.includes(g.id));
      if (items.length === 0) continue;
      blocks.push({ kind: 'heading', text: t(g.name) });
      if (g.description) blocks.push(p(t(g.description)));
      if (g.role === 'processor') {
        const by = g.entrusted_by ? t(g.entrusted_by) : L('会員企業', 'member organizations');
        blocks.push(p(L(`これらの情報は、${by}から個人データの取扱いの委託を受けて取り扱うものです。${self.ja}は、委託の範囲内でのみ取り扱い、委託元の指示に従います。`, `We handle this information because ${by} entrusted us with it. We handle it only within the scope of the entrustment and follow their instructions.`)));
      }
      const rows: Rich[][] = items.map((d) => {
        const how = d.acquisition.map((a) => {
          let s = acquisitionNames[a.method][lang];
          if (a.source) s += L(`（提供元: ${t(a.source)}）`, ` (source: ${t(a.source)})`);
          if (a.description) s += L(`：${t(a.description)}`, `: ${t(a.description)}`);
          return s;
        });
        const notes: string[] = [];
        if (d.details) notes.push(t(d.details));
        if (isSensitive(d)) notes.push(L('要配慮個人情報', 'Special care-required'));
        if (natureOf(d) === 'person_related') notes.push(L('個人関連情報', 'Person-related information'));
        if (d.published_by_user) notes.push(L('ご本人の設定により公開される場合があります', 'May be made public if you choose to'));
        return [[dataName(d)], [notes.join(L('。', '. '))], [how.join(L('／', ' / '))]];
      });
      blocks.push({ kind: 'table', head: [L('情報の項目', 'Information'), L('内容・補足', 'Details'), L('取得の方法', 'How we acquire it')], rows });
    }
    if (policy.data.some(isSensitive)) {
      blocks.push(p(L('要配慮個人情報は、法令に基づく場合等を除き、あらかじめご本人の同意を得たうえで取得します。', 'We acquire special care-required personal information only with your prior consent, except where the law provides otherwise.')));
    }
    const confirmed = policy.data.flatMap((d) => d.acquisition.filter((a) => a.method === 'third_party').map((a) => ({ d, a })));
    if (confirmed.length > 0) {
      blocks.push(p(L(`第三者から個人データの提供を受ける際は、法令に従い、提供元の名称・住所・代表者の氏名及び提供元がその個人データを取得した経緯を確認し、その記録を作成して保存します。`, `When we receive personal data from a third party, we confirm, as the law requires, the provider's name, address and representative and how the provider acquired the data, and we keep a record of this.`)));
      const rows: Rich[][] = confirmed.flatMap(({ d, a }) => {
        const c = a.confirmation;
        return c ? [[[dataName(d)], [t(c.provider_name)], [t(c.provider_address)], [t(c.provider_representative)], [t(c.how_provider_acquired)]]] : [];
      });
      if (rows.length > 0) blocks.push({ kind: 'table', head: [L('情報の項目', 'Information'), L('提供元', 'Provider'), L('提供元の住所', 'Provider address'), L('提供元の代表者', 'Provider representative'), L('提供元による取得の経緯', 'How the provider acquired it')], rows });
    }
    add('acquisition', L('取得する情報と取得の方法', 'Information we acquire and how'), blocks);
  }

  // 4. Purposes per subject group
  {
    const blocks: Block[] = [p(L(`${self.ja}は、取得した個人情報を次の目的の達成に必要な範囲で利用し、ご本人の同意を得ずにこれを超えて利用することはありません（法令に基づく場合等を除きます。）。`, `We use personal information only as needed for the following purposes, and not beyond them without your consent (except where the law allows).`))];
    for (const g of policy.subject_groups) {
      const purposes = policy.purposes.filter((pp) => pp.subject_groups.includes(g.id));
      if (purposes.length === 0) continue;
      blocks.push({ kind: 'heading', text: L(`${t(g.name)}に関する利用目的`, `Purposes for ${t(g.name)}`) });
      if (g.role === 'processor') blocks.push(p(L('これらの情報は、委託元との契約で定められた範囲でのみ利用します。', 'We use this information only within what our contract with the entrusting organization allows.')));
      blocks.push({
        kind: 'list',
        ordered: true,
        items: purposes.map((pp) => {
          let s = t(pp.description);
          // Name only what is acquired from this group: a visitor should not read that their name is used.
          const groupData = pp.data.filter((id) => policy.data.find((d) => d.id === id)?.subject_groups.includes(g.id) ?? false);
          const used = groupData.length > 0 ? groupData : pp.data;
          s += L(`（利用する情報: ${dataNames(used)}）`, ` (information used: ${dataNames(used)})`);
          switch (pp.choice) {
            case 'consent': s += L('　※ご本人の同意をいただいた場合に限り利用します。', ' — only with your consent.'); break;
            case 'opt_out': s += L('　※設定によりいつでも停止できます。', ' — you can turn this off at any time in your settings.'); break;
            case 'none': break;
            default: { const never: never = pp.choice; return never; }
          }
          return [s];
        }),
      });
    }
    blocks.push(p(L(`入力フォームや書面等によりご本人から直接個人情報を取得する場合は、あらかじめ利用目的をお示しします。`, 'When we collect personal information directly from you through a form or in writing, we state the purposes beforehand.')));
    add('purposes', L('利用目的', 'Purposes of use'), blocks);
  }

  // 5. Purpose changes (17条2項, 21条3項)
  {
    const pc = policy.purpose_changes ?? { rule: 'related_only' as const, methods: ['publish' as const] };
    const how = pc.methods.map((m) => (m === 'notify' ? L('ご本人への通知', 'notifying you') : L('本サービス上での公表', 'publishing them on the service')));
    const blocks: Block[] = [
      p(L(`${self.ja}は、利用目的を変更する場合、変更前の利用目的と関連性を有すると合理的に認められる範囲内で行い、変更後の利用目的を${listOr(how)}によりお知らせします。`, `If we change the purposes of use, the new purposes will stay reasonably related to the former ones, and we will announce them by ${listOr(how)}.`)),
    ];
    if (pc.rule === 'consent_for_unrelated') {
      blocks.push(p(L('この範囲を超えて利用目的を変更する場合は、あらかじめご本人の同意を得ます。', 'Before any change beyond that range, we will ask for your consent.')));
    }
    if (pc.note) blocks.push(p(t(pc.note)));
    add('purpose_changes', L('利用目的の変更', 'Changes to the purposes of use'), blocks);
  }

  // 6. Third-party provision (27条1項) and consent-based provision
  const prov = policy.provision;
  {
    const blocks: Block[] = [
      p(L(`${self.ja}は、次のいずれかに該当する場合を除き、あらかじめご本人の同意を得ることなく、個人データを第三者に提供しません。`, `We do not provide personal data to third parties without your prior consent, except in the following cases.`)),
      { kind: 'list', ordered: true, items: prov.statutory_exceptions.map((k) => [`${statutoryExceptions[k].label[lang]}${L(`（個人情報保護法${statutoryExceptions[k].article}）`, ` (APPI Art. ${articleEn(statutoryExceptions[k].article)})`)}`]) },
    ];
    if (prov.consent_based.length > 0) {
      blocks.push({ kind: 'heading', text: L('ご本人の同意に基づく提供', 'Provision with your consent') });
      blocks.push(p(L('ご本人の同意をいただいたうえで、次のとおり個人データを提供します。', 'With your consent, we provide personal data as follows.')));
      blocks.push({
        kind: 'table',
        head: [L('提供先', 'Recipient'), L('提供する情報', 'Information provided'), L('提供先の利用目的', "Recipient's purpose"), L('備考', 'Notes')],
        rows: prov.consent_based.map((c) => [[t(c.recipient)], [dataNames(c.data)], [t(c.purpose)], [c.note ? t(c.note) : '']]),
      });
    }
    const notThird: string[] = [];
    notThird.push(L('利用目的の達成に必要な範囲内で個人データの取扱いを委託する場合', 'When we entrust the handling of personal data to a contractor within the purposes of use'));
    if (prov.succession) notThird.push(L('合併その他の事由による事業の承継に伴って個人データが提供される場合', 'When personal data passes to a successor in a merger or other business succession'));
    if (prov.joint_use.length > 0) notThird.push(L('次の「共同利用」の節に定めるとおり個人データを共同して利用する場合', 'When we use personal data jointly as set out in the section on joint use'));
    blocks.push(p(L('なお、次の場合の提供先は、個人情報保護法上の第三者には該当しません。', 'The recipient in the following cases is not a third party under the Act.')));
    blocks.push(ul(notThird));
    if (prov.internal_recipients) blocks.push(p(t(prov.internal_recipients)));
    if (policy.data.some((d) => natureOf(d) === 'person_related')) {
      blocks.push(p(L(`個人関連情報を第三者に提供する場合において、提供先がこれを個人データとして取得することが想定されるときは、提供先がご本人の同意を得ていることを確認したうえで提供し、その確認の記録を作成・保存します。`, `When we provide person-related information to a third party that we expect to acquire it as personal data, we first confirm that the recipient has your consent, and we keep a record of that confirmation.`)));
    }
    add('provision', L('個人データの第三者提供', 'Provision of personal data to third parties'), blocks);
  }

  // 7. Opt-out provision (27条2項)
  if (prov.opt_out) {
    const o = prov.opt_out;
    const filing = o.ppc_filing;
    const filingText = (() => {
      switch (filing.status) {
        case 'planned': return L('個人情報保護委員会への届出を予定しています。', 'We will file these matters with the Personal Information Protection Commission.');
        case 'filed': return L(`個人情報保護委員会に届け出ています${filing.filed_on ? `（届出日: ${formatWesternDate(filing.filed_on, 'ja')}）` : ''}。`, `We have filed these matters with the Personal Information Protection Commission${filing.filed_on ? ` (filed ${formatWesternDate(filing.filed_on, 'en')})` : ''}.`);
        case 'published': return L(`個人情報保護委員会に届け出ており、同委員会により公表されています${filing.published_on ? `（公表日: ${formatWesternDate(filing.published_on, 'ja')}）` : ''}。`, `We have filed these matters with the Personal Information Protection Commission, which has published them${filing.published_on ? ` (published ${formatWesternDate(filing.published_on, 'en')})` : ''}.`);
        default: { const never: never = filing.status; return never; }
      }
    })();
    add('opt_out', L('オプトアウトによる第三者提供', 'Provision to third parties on an opt-out basis'), [
      p(L(`${self.ja}は、個人情報保護法第27条第2項に基づき、次のとおり個人データを第三者に提供します。ご本人から求めがあった場合は、そのご本人を識別する個人データの第三者への提供を停止します。なお、要配慮個人情報はこの方法では提供しません。`, `Under Article 27(2) of the Act, we provide personal data to third parties as set out below. If you ask us to, we stop providing the personal data that identifies you. We never provide special care-required personal information this way.`)),
      {
        kind: 'fields',
        items: [
          { term: L('事業者の名称・住所・代表者', 'Operator name, address and representative'), content: [[t(policy.operator.name), policy.operator.address ? t(policy.operator.address) : '', policy.operator.representative ? t(policy.operator.representative) : ''].filter(Boolean).join(L('／', ' / '))] },
          { term: L('第三者への提供を利用目的とすること', 'Provision to third parties is a purpose'), content: [L('第三者への提供を利用目的に含みます。', 'Providing the data to third parties is one of our purposes of use.')] },
          { term: L('提供する個人データの項目', 'Items of personal data provided'), content: [dataNames(o.data)] },
          { term: L('提供先', 'Recipients'), content: [t(o.recipients)] },
          { term: L('個人データの取得の方法', 'How the data is acquired'), content: [t(o.acquisition)] },
          { term: L('提供の方法', 'How the data is provided'), content: [t(o.method)] },
          { term: L('ご本人の求めに応じて提供を停止すること', 'Stopping provision on request'), content: [L('ご本人の求めに応じて、当該ご本人が識別される個人データの第三者への提供を停止します。', 'On your request, we stop providing the personal data that identifies you.')] },
          { term: L('停止の求めを受け付ける方法', 'How to ask us to stop'), content: o.stop_request_contacts.flatMap((id, i) => (i === 0 ? contactInline(id) : [L('／', ' / '), ...contactInline(id)])) },
          { term: L('個人データの更新の方法', 'How the data is updated'), content: [t(o.update_method)] },
          { term: L('提供を開始する予定日', 'Planned start date'), content: [formatDualDate(o.start_date, lang)] },
          { term: L('個人情報保護委員会への届出', 'Filing with the Commission'), content: [filingText] },
        ],
      },
    ]);
  }

  // 8. Outsourcing (委託) and supervision
  if (prov.outsourcing.length > 0) {
    add('outsourcing', L('個人データの取扱いの委託', 'Entrusting the handling of personal data'), [
      p(L(`${self.ja}は、利用目的の達成に必要な範囲内で、個人データの取扱いの全部又は一部を委託することがあります。委託先は個人データを適切に取り扱うと認められる者から選定し、委託契約において安全管理措置、秘密保持、再委託の条件等を定めたうえで、委託先に対し必要かつ適切な監督を行います。`, `We may entrust all or part of the handling of personal data to contractors, within what the purposes of use require. We choose contractors that can be trusted to handle personal data properly, set security measures, confidentiality and the conditions for subcontracting in the contract, and supervise them as needed.`)),
      {
        kind: 'table',
        head: [L('委託する業務', 'Task'), L('委託先', 'Contractor'), L('取り扱う情報', 'Information handled'), L('所在国', 'Country'), L('監督の方法', 'Supervision')],
        rows: prov.outsourcing.map((o) => [[t(o.task)], [o.contractor ? t(o.contractor) : '—'], [dataNames(o.data)], [o.country ? countryName(o.country) : '—'], [o.supervision ? t(o.supervision) : L('委託契約の締結及び取扱状況の定期的な確認', 'A contract and regular checks of how the data is handled')]]),
      },
    ]);
  }

  // 9. Business succession
  if (prov.succession) {
    add('succession', L('事業の承継', 'Business succession'), [
      p(L(`合併、会社分割、事業譲渡その他の事由により${self.ja}の事業が承継される場合、個人情報は承継先に引き継がれることがあります。この場合、承継先は、承継前の利用目的の範囲内で個人情報を取り扱います。`, `If our business passes to another party by merger, company split, business transfer or otherwise, personal information may pass to that successor, which will handle it only within the purposes of use that applied before.`)),
    ]);
  }

  // 10. Joint use (27条5項3号)
  if (prov.joint_use.length > 0) {
    const blocks: Block[] = [p(L(`${self.ja}は、次のとおり個人データを共同して利用します。`, 'We use personal data jointly with others as follows.'))];
    prov.joint_use.forEach((j, i) => {
      if (prov.joint_use.length > 1) blocks.push({ kind: 'heading', text: L(`共同利用${i + 1}`, `Joint use ${i + 1}`) });
      const r = j.responsible;
      blocks.push({
        kind: 'fields',
        items: [
          { term: L('共同利用をする旨', 'Joint use'), content: [L('次の範囲の者との間で、個人データを共同して利用します。', 'We use personal data jointly with the parties below.')] },
          { term: L('共同して利用される個人データの項目', 'Items of personal data used jointly'), content: [dataNames(j.data)] },
          { term: L('共同して利用する者の範囲', 'Who uses it jointly'), content: [t(j.users_scope)] },
          { term: L('利用する者の利用目的', 'Purposes of the joint users'), content: [t(j.purposes)] },
          { term: L('管理について責任を有する者の名称・住所・代表者', 'Party responsible: name, address and representative'), content: [`${t(r.name)}${L('／', ' / ')}${t(r.address)}${L('／', ' / ')}${t(r.representative)}`] },
          ...(j.since ? [{ term: L('共同利用の開始日', 'Joint use since'), content: [formatDualDate(j.since, lang)] }] : []),
        ],
      });
    });
    add('joint_use', L('共同利用', 'Joint use'), blocks);
  }

  // 11. Foreign recipients (28条)
  if (prov.foreign.length > 0) {
    const basisText = (b: 'consent' | 'equivalent_system' | 'adequate_country'): string => {
      switch (b) {
        case 'consent': return L('ご本人の同意に基づき提供します。', 'We provide it with your consent.');
        case 'equivalent_system': return L('提供先は、個人情報保護法に基づく措置に相当する措置を継続的に講ずるために必要な体制を整備しています。当社はその実施状況を定期的に確認し、ご本人の求めに応じて必要な情報を提供します。', 'The recipient has a system for continuously taking measures equivalent to those under the Act. We check this regularly and give you the relevant information on request.');
        case 'adequate_country': return L('提供先の所在国は、個人情報保護委員会が日本と同等の水準にあると認める国・地域です。', 'The recipient is in a country or region that the Commission recognizes as having an equivalent level of protection.');
        default: { const never: never = b; return never; }
      }
    };
    const blocks: Block[] = [p(L(`${self.ja}は、次のとおり外国にある第三者に個人データを提供します。`, 'We provide personal data to recipients in foreign countries as follows.'))];
    for (const f of prov.foreign) {
      blocks.push({ kind: 'heading', text: L(`${t(f.recipient)}（${countryName(f.country)}）`, `${t(f.recipient)} (${countryName(f.country)})`) });
      blocks.push({
        kind: 'fields',
        items: [
          { term: L('提供先の所在国', 'Country'), content: [countryName(f.country)] },
          { term: L('提供する情報', 'Information provided'), content: [dataNames(f.data)] },
          { term: L('提供の根拠', 'Basis'), content: [basisText(f.basis)] },
          ...(f.regime ? [{ term: L('当該国の個人情報の保護に関する制度', "The country's personal information regime"), content: [t(f.regime)] }] : []),
          ...(f.measures ? [{ term: L('提供先が講ずる個人情報の保護のための措置', "The recipient's protective measures"), content: [t(f.measures)] }] : []),
        ],
      });
    }
    blocks.push(p(L('各国の制度については、個人情報保護委員会が公表する資料も参照しています。', "For each country's regime we also rely on the material published by the Personal Information Protection Commission."), ' ', { href: 'https://www.ppc.go.jp/personalinfo/legal/kaiseihogohou/#gaikoku', text: L('個人情報保護委員会「外国における個人情報の保護に関する制度等の調査」', 'PPC: survey of foreign personal information regimes') }));
    add('foreign', L('外国にある第三者への提供', 'Provision to recipients in foreign countries'), blocks);
  }

  // 12. External tools and cookies
  if (policy.tools.length > 0 || policy.cookies.length > 0) {
    const blocks: Block[] = [p(L(`本サービスでは、次の外部サービスやCookie等の技術を利用しています。Cookieとは、ウェブサイトがお使いのブラウザに保存する小さなデータで、ブラウザの設定により受け入れを拒否したり、削除したりできます（本サービスの一部の機能がご利用になれなくなる場合があります。）。`, `The service uses the external services and technologies such as cookies listed below. A cookie is a small piece of data a website stores in your browser; you can refuse or delete cookies in your browser settings (some features of the service may then not work).`))];
    for (const tool of policy.tools) {
      const cat: CatalogTool | undefined = tool.catalog === 'custom' ? undefined : toolCatalog[tool.catalog];
      const name = tool.name ? t(tool.name) : cat?.name ?? tool.id;
      const provider = tool.provider ? t(tool.provider) : cat ? cat.provider[lang] : undefined;
      const collects = tool.collects ? tool.collects.map(t) : cat ? cat.collects.map((c) => c[lang]) : [];
      const choice = tool.choice ?? cat?.defaultChoice ?? 'none';
      const country = tool.country ?? (tool.self_hosted ? undefined : cat?.country);
      const purpose = purposeById.get(tool.purpose);
      const optOut = tool.opt_out ? t(tool.opt_out) : cat ? cat.optOut[lang] : undefined;
      const links = { terms: tool.links?.terms ?? cat?.links.terms, privacy: tool.links?.privacy ?? cat?.links.privacy, optOut: tool.links?.opt_out ?? cat?.links.optOut };
      const cookies = tool.cookies ?? cat?.cookies ?? [];
      blocks.push({ kind: 'heading', text: name });
      const items: Array<{ term: string; content: Rich }> = [];
      if (provider) items.push({ term: L('提供者', 'Provider'), content: [provider] });
      if (purpose) items.push({ term: L('利用目的', 'Purpose'), content: [t(purpose.description)] });
      if (collects.length > 0) items.push({ term: L('取得される情報', 'What it collects'), content: [list(collects)] });
      if (tool.self_hosted) items.push({ term: L('送信先', 'Where the data goes'), content: [L(`${self.ja}が自ら管理するサーバーに送信され、外部の事業者には送信されません。`, 'To a server we run ourselves; it is not sent to the outside provider.')] });
      else if (country) items.push({ term: L('情報の送信先の国', 'Country the data goes to'), content: [countryName(country)] });
      if (cookies.length > 0) items.push({ term: L('使用するCookie', 'Cookies'), content: cookies.flatMap((c, i) => (i === 0 ? [{ code: c }] : [L('、', ', '), { code: c }])) });
      const choiceText = (() => {
        switch (choice) {
          case 'consent': return L('ご本人の同意をいただいた場合にのみ有効にします。', 'Turned on only with your consent.');
          case 'opt_out': return L('初期状態で有効ですが、いつでも停止できます。', 'On by default; you can turn it off at any time.');
          case 'none': return L('同意の設定の対象ではなく、常に有効です。', 'Always on; it is not subject to the consent settings.');
          default: { const never: never = choice; return never; }
        }
      })();
      items.push({ term: L('同意・停止', 'Consent and opting out'), content: [choiceText, optOut ? L(optOut, ` ${optOut}`) : ''] });
      const linkItems: Inline[] = [];
      const pushLink = (href: string | undefined, label: string) => { if (href) { if (linkItems.length > 0) linkItems.push(L('／', ' / ')); linkItems.push({ href, text: label }); } };
      pushLink(links.terms, L('利用規約', 'Terms'));
      pushLink(links.privacy, L('プライバシーポリシー', 'Privacy policy'));
      pushLink(links.optOut, L('オプトアウトの方法', 'How to opt out'));
      if (linkItems.length > 0) items.push({ term: L('提供者の規約等', "The provider's terms"), content: linkItems });
      if (tool.note) items.push({ term: L('補足', 'Note'), content: [t(tool.note)] });
      blocks.push({ kind: 'fields', items });
    }
    if (policy.cookies.length > 0) {
      const toolName = (id: string | undefined) => {
        if (!id) return L(`${self.ja}（ファーストパーティ）`, 'Us (first party)');
        const tool = policy.tools.find((x) => x.id === id);
        if (!tool) return id;
        return tool.name ? t(tool.name) : tool.catalog === 'custom' ? tool.id : toolCatalog[tool.catalog].name;
      };
      blocks.push({ kind: 'heading', text: L('Cookieの一覧', 'Cookies we use') });
      blocks.push({
        kind: 'table',
        head: [L('名前', 'Name'), L('設定者', 'Set by'), L('目的', 'Purpose'), L('保存期間', 'Duration'), L('区分', 'Party')],
        rows: policy.cookies.map((c) => {
          const purpose = purposeById.get(c.purpose);
          return [[{ code: c.name }], [toolName(c.tool)], [purpose ? t(purpose.description) : c.purpose, c.description ? ` ${t(c.description)}` : ''], [t(c.duration)], [c.party === 'first' ? L('ファーストパーティ', 'First party') : L('サードパーティ', 'Third party')]];
        }),
      });
    }
    add('tools', L('外部サービス・Cookie等の利用', 'External services and cookies'), blocks);
  }

  // 外部送信 (電気通信事業法27条の12), when the policy declares the service in scope.
  const external = externalTransmissionSection(policy, lang, self.ja, opts.externalTransmissionsUrl);
  if (external) add('external_transmissions', external.title, external.blocks);

  // 13. Retention
  if (policy.retention) {
    const blocks: Block[] = [p(t(policy.retention.general))];
    if (policy.retention.items.length > 0) {
      blocks.push({ kind: 'table', head: [L('情報の項目', 'Information'), L('保存期間', 'Retention period')], rows: policy.retention.items.map((r) => [[dataNames(r.data)], [t(r.period)]]) });
    }
    const perItem = policy.data.filter((d) => d.retention);
    if (perItem.length > 0) blocks.push({ kind: 'table', head: [L('情報の項目', 'Information'), L('保存期間', 'Retention period')], rows: perItem.map((d) => [[dataName(d)], [t(d.retention!)]]) });
    blocks.push(p(L('保存期間が経過した個人データ及び利用する必要がなくなった個人データは、遅滞なく消去するよう努めます。', 'We endeavour to erase personal data without delay once its retention period has passed or we no longer need it.')));
    add('retention', L('保存期間', 'Retention'), blocks);
  }

  // 14. Security measures (23条, 施行令10条1号)
  {
    const s = policy.security;
    const blocks: Block[] = [p(L(`${self.ja}は、個人データの漏えい、滅失又は毀損の防止その他の安全管理のため、次の措置を講じています。`, 'To prevent leaks, loss or damage of personal data and otherwise keep it secure, we take the following measures.'))];
    if (!s) {
      blocks.push(ul([
        L('個人データの取扱いに関する責任者を定め、取扱状況を定期的に点検しています。', 'We have appointed a person responsible for personal data and check regularly how it is handled.'),
        L('個人データにアクセスできる者を限定し、アクセス制御と不正アクセス対策を行っています。', 'We limit who can access personal data and protect it with access control and measures against unauthorized access.'),
      ]));
    } else {
      const group = (title: string, items: string[]) => { if (items.length > 0) { blocks.push({ kind: 'heading', text: title }); blocks.push(ul(items)); } };
      if (s.basic_policy) { blocks.push({ kind: 'heading', text: L('基本方針の策定', 'Basic policy') }); blocks.push(p(t(s.basic_policy))); }
      if (s.internal_rules) { blocks.push({ kind: 'heading', text: L('個人データの取扱いに係る規律の整備', 'Rules for handling personal data') }); blocks.push(p(t(s.internal_rules))); }
      group(L('組織的安全管理措置', 'Organizational measures'), s.organizational.map(t));
      group(L('人的安全管理措置', 'Human measures'), s.human.map(t));
      group(L('物理的安全管理措置', 'Physical measures'), s.physical.map(t));
      group(L('技術的安全管理措置', 'Technical measures'), s.technical.map(t));
      blocks.push({ kind: 'heading', text: L('外的環境の把握', 'Understanding the foreign environment') });
      if (s.foreign_environment.length === 0) {
        // Only claim Japan-only handling when nothing in the file points abroad (lint flags the contradiction).
        const abroad = prov.outsourcing.some((o) => o.country && o.country !== 'JP') || prov.foreign.length > 0;
        if (!abroad) blocks.push(p(L('個人データは日本国内で取り扱っており、外国において個人データを取り扱うことはありません。', 'We handle personal data in Japan and do not handle it in any foreign country.')));
      } else {
        blocks.push(p(L('次の外国において個人データを取り扱っており、当該国の個人情報の保護に関する制度を把握したうえで安全管理措置を講じています。', 'We handle personal data in the following foreign countries, and take security measures based on what we know of their personal information regimes.')));
        blocks.push({ kind: 'table', head: [L('国', 'Country'), L('取り扱う内容', 'What is handled there'), L('制度の概要', 'The regime')], rows: s.foreign_environment.map((f) => [[countryName(f.country)], [t(f.what)], [t(f.regime)]]) });
      }
      if (s.withheld) blocks.push(p(t(s.withheld)));
    }
    add('security', L('安全管理措置', 'Security measures'), blocks);
  }

  // 15. Rights and how to exercise them
  {
    const offered = requestKinds.filter((k) => policy.requests.kinds[k]?.offered !== false && policy.requests.kinds[k] !== undefined);
    const blocks: Block[] = [
      p(L(`ご本人は、${self.ja}に対し、保有個人データについて次の請求をすることができます。第三者提供記録の開示も、開示の請求に含まれます。請求の手続は、種類ごとに以下のとおりです。`, `You can make the following requests to us about your retained personal data. A disclosure request can also cover the records of provision to and from third parties. The procedure for each kind is set out below.`)),
      ul(offered.map((k) => `${requestKindRules[k].name[lang]}${L(`（個人情報保護法${requestKindRules[k].article}）`, ` (APPI Art. ${articleEn(requestKindRules[k].article)})`)}`)),
    ];
    // Steps that are the same for every kind (where to apply, identity, agents …) are stated once, as a careful
    // policy would; each kind then lists its fee, delivery and what differs, and its statutory grounds for refusal.
    const perKind = offered.flatMap((kind) => {
      const proc = policy.requests.kinds[kind];
      return proc ? [{ kind, proc, fields: procedureFields(kind, proc) }] : [];
    });
    const sameEverywhere = (key: ProcedureFieldKey): boolean => {
      const first = perKind[0]?.fields.find((f) => f.key === key);
      return first !== undefined && perKind.length > 1 && perKind.every((k) => JSON.stringify(k.fields.find((f) => f.key === key)?.content) === JSON.stringify(first.content));
    };
    const common = new Set(commonFieldKeys.filter(sameEverywhere));
    if (common.size > 0) {
      blocks.push({ kind: 'heading', text: L('各請求に共通の手続', 'Procedure common to all requests') });
      blocks.push({ kind: 'fields', items: perKind[0]!.fields.filter((f) => common.has(f.key)).map(({ term, content }) => ({ term, content })) });
    }
    for (const { kind, proc, fields } of perKind) {
      blocks.push({ kind: 'heading', text: requestKindRules[kind].name[lang] });
      blocks.push({ kind: 'fields', items: fields.filter((f) => !common.has(f.key)).map(({ term, content }) => ({ term, content })) });
      const grounds = groundsFor(kind).map((g) => refusalGrounds[g].label[lang].replace('当該個人情報取扱事業者', self.ja));
      grounds.push(...proc.operator_grounds.map(t));
      blocks.push(p(L('次の場合は、ご請求の全部又は一部に応じられないことがあります。', 'We may decline all or part of this request in the following cases:')));
      blocks.push({ kind: 'list', ordered: true, items: grounds.map((g) => [g]) });
    }
    const entrusted = policy.subject_groups.filter((g) => g.role === 'processor');
    if (entrusted.length > 0) {
      const by = entrusted.map((g) => (g.entrusted_by ? t(g.entrusted_by) : L('委託元', 'the entrusting organization')));
      blocks.push(p(L(`なお、${list([...new Set(by)])}から委託を受けて取り扱う個人データ（${list(entrusted.map((g) => t(g.name)))}に関する情報）は、${self.ja}が開示等を行う権限を有するものではないため、これらについてのご請求は委託元にお申し出ください。${self.ja}は、委託元の指示に従い、その対応に協力します。`, `Personal data we handle on behalf of ${listOr([...new Set(by)])} (about ${listAnd(entrusted.map((g) => t(g.name)))}) is not ours to disclose or correct; please make such requests to the organization that entrusted it to us. We help that organization respond, following its instructions.`)));
    }
    blocks.push(p(L('ご請求に応じない場合、一部のみ応じる場合又はご請求と異なる措置をとる場合は、その旨とその理由を遅滞なくご本人に通知します。請求の手続に当たり取得した個人情報は、請求への対応に必要な範囲でのみ利用します。', 'If we do not act on a request, act on part of it or take a different measure, we tell you so and why without delay. We use the personal information we receive with a request only as needed to handle it.')));
    add('rights', L('保有個人データの開示等の請求', 'Your rights over retained personal data'), blocks);
  }

  function procedureFields(kind: RequestKind, proc: RequestProcedure): ProcedureField[] {
    const items: ProcedureField[] = [];
    items.push({ key: 'channels', term: L('受付方法', 'Where to apply'), content: proc.channels.flatMap((id, i) => (i === 0 ? contactInline(id) : [L('／', ' / '), ...contactInline(id)])) });
    const ids = proc.identity.map((m) => identityNames[m][lang]);
    const docs = proc.identity_documents.map(t);
    items.push({ key: 'identity', term: L('ご本人確認', 'Identity verification'), content: [L(`${list(ids)}により、ご本人であることを確認します。${docs.length > 0 ? `本人確認書類には、${list(docs)}をご利用いただけます。` : ''}`, `We confirm your identity through the following: ${ids.map(lowerFirst).join("; ")}.${docs.length > 0 ? ` Accepted identity documents: ${list(docs)}.` : ''}`)] });
    if (proc.agents.allowed) {
      const kinds = proc.agents.kinds.map((k) => agentKindNames[k][lang]);
      const proofs = proc.agents.proofs.map((k) => agentProofNames[k][lang]);
      items.push({ key: 'agents', term: L('代理人による請求', 'Requests by an agent'), content: [L(`${listOr(kinds)}による請求も受け付けます。${proofs.length > 0 ? `代理人による請求の場合は、代理権等を確認するため、${list(proofs)}のうち該当するものをご提出ください。` : ''}`, `We also accept requests from ${listOr(kinds.map(lowerFirst))}.${proofs.length > 0 ? ` To confirm the agent's authority, please submit whichever of the following apply: ${list(proofs.map(lowerFirst))}.` : ''}`)] });
    } else {
      items.push({ key: 'agents', term: L('代理人による請求', 'Requests by an agent'), content: [L('代理人による請求は受け付けておりません。ご本人からご請求ください。', 'We do not accept requests by agents; please apply yourself.')] });
    }
    items.push({ key: 'fee', term: L('手数料', 'Fee'), content: [feeText(kind, proc)] });
    if (requestKindRules[kind].deliveryChoice) {
      const delivery = (proc.delivery ?? ['electronic', 'paper']).map((d) => deliveryNames[d][lang]);
      items.push({ key: 'delivery', term: L('開示の方法', 'How we disclose'), content: [L(`${list(delivery)}のうち、ご本人が指定する方法により開示します。指定された方法による開示に多額の費用を要する場合その他困難な場合は、その旨をお知らせしたうえで書面の交付により開示します。`, `We disclose by the method you choose from: ${delivery.join('; ')}. If your chosen method would be very costly or otherwise difficult, we tell you so and disclose on paper.`)] });
    }
    if (proc.forms.length > 0) items.push({ key: 'forms', term: L('請求書式', 'Forms'), content: proc.forms.flatMap((f, i) => { const sep = i === 0 ? [] : [L('、', ', ')]; return f.url ? [...sep, { href: f.url, text: t(f.name) }] : [...sep, t(f.name)]; }) });
    const days = proc.target_days ?? policy.requests.default_target_days;
    items.push({ key: 'target_days', term: L('回答の時期', 'When we answer'), content: [L(`ご請求を受け付け、ご本人確認が完了した日から原則として${days}日以内に回答します。`, `As a rule, within ${days} days of receiving the request and confirming your identity.`)] });
    if (proc.requester_pays_postage) items.push({ key: 'postage', term: L('郵送料', 'Postage'), content: [L('郵送によるご請求の郵送料は、ご本人のご負担となります。', 'If you apply by post, the postage is yours to bear.')] });
    if (proc.note) items.push({ key: 'note', term: L('補足', 'Note'), content: [t(proc.note)] });
    return items;
  }

  function feeText(kind: RequestKind, proc: RequestProcedure): string {
    const fee = proc.fee;
    if (!fee || !feeAllowed(kind)) return L('手数料はいただきません。', 'Free of charge.');
    const amountJa = `${fee.amount.toLocaleString('ja-JP')}円`;
    const amountEn = `¥${fee.amount.toLocaleString('en-US')}`;
    const taxJa = { included: '（税込）', excluded: '（税別。別途消費税を申し受けます）', not_applicable: '（消費税の課税対象外）' }[fee.tax];
    const taxEn = { included: ' (tax included)', excluded: ' (plus consumption tax)', not_applicable: ' (not subject to consumption tax)' }[fee.tax];
    const unitJa = fee.unit === 'per_item' ? '1件につき' : '1回のご請求につき';
    const unitEn = fee.unit === 'per_item' ? 'per item' : 'per request';
    const pay = fee.payment.map((m) => paymentNames[m][lang]);
    const note = fee.note ? ` ${t(fee.note)}` : '';
    return L(`${unitJa}${amountJa}${taxJa}を申し受けます。お支払い方法: ${list(pay)}。手数料のお支払いを確認できない場合は、ご請求に応じられないことがあります。${note}`, `${amountEn}${taxEn} ${unitEn}. Payment: ${pay.join('; ')}. If we cannot confirm payment of the fee, we may be unable to act on the request.${note}`);
  }

  // 16. Statistics / anonymized / pseudonymized
  if (policy.statistics && (policy.statistics.produces_statistics || policy.statistics.anonymized?.produces || policy.statistics.pseudonymized?.produces)) {
    const st = policy.statistics;
    const blocks: Block[] = [];
    if (st.produces_statistics) {
      blocks.push({ kind: 'heading', text: L('統計情報', 'Statistics') });
      blocks.push(p(L(`${self.ja}は、取得した情報をもとに、特定の個人を識別できない形式の統計情報を作成し、利用又は公表することがあります。`, 'We may compile statistics from the information we acquire, in a form that identifies no one, and use or publish them.')));
      if (st.statistics_note) blocks.push(p(t(st.statistics_note)));
    }
    if (st.anonymized?.produces) {
      const a = st.anonymized;
      blocks.push({ kind: 'heading', text: L('匿名加工情報', 'Anonymized information') });
      blocks.push(p(L(`${self.ja}は、個人情報保護委員会規則で定める基準に従って匿名加工情報を作成し、その加工方法等の情報を安全に管理します。匿名加工情報を作成したときは、それに含まれる個人に関する情報の項目を次のとおり公表します。`, 'We make anonymized information to the standard set by the Commission and keep the processing method secure. We publish the items of information about individuals it contains, as follows.')));
      if (a.items.length > 0) blocks.push(ul(a.items.map(t)));
      if (a.method) blocks.push(p(L(`加工の方法: ${t(a.method)}`, `Processing method: ${t(a.method)}`)));
      if (a.provides_to_third_parties) blocks.push(p(L('匿名加工情報を第三者に提供するときは、あらかじめ提供する情報の項目及び提供の方法を公表し、提供先に対して当該情報が匿名加工情報であることを明示します。', 'Before providing anonymized information to a third party, we publish the items and how we provide them, and tell the recipient that it is anonymized information.')));
      blocks.push(p(L('匿名加工情報を、他の情報と照合して本人を識別することはありません。', 'We never match anonymized information with other information to identify anyone.')));
    }
    if (st.pseudonymized?.produces) {
      blocks.push({ kind: 'heading', text: L('仮名加工情報', 'Pseudonymized information') });
      blocks.push(p(L(`${self.ja}は、仮名加工情報を作成し、公表した利用目的の範囲内で社内において利用することがあります。仮名加工情報は、法令に基づく場合を除き第三者に提供せず、本人を識別するために他の情報と照合することもありません。`, 'We may make pseudonymized information and use it internally within the published purposes. We do not provide it to third parties except as the law requires, and never match it with other information to identify anyone.')));
      if (st.pseudonymized.purposes) blocks.push(p(L(`利用目的: ${t(st.pseudonymized.purposes)}`, `Purposes: ${t(st.pseudonymized.purposes)}`)));
    }
    add('statistics', L('統計情報・匿名加工情報・仮名加工情報', 'Statistics, anonymized and pseudonymized information'), blocks);
  }

  // 17. Contact and complaints
  {
    const op = policy.operator;
    const complaintIds = op.complaint_contacts && op.complaint_contacts.length > 0 ? op.complaint_contacts : op.contacts.map((c) => c.id);
    const blocks: Block[] = [
      p(L(`本ポリシー及び個人情報の取扱いに関するお問い合わせ、ご相談及び苦情は、次の窓口で受け付けます。`, 'Please send questions, consultations and complaints about this policy or how we handle personal information to the contacts below.')),
      { kind: 'list', items: complaintIds.map((id) => contactInline(id)) },
    ];
    const others = op.contacts.filter((c) => !complaintIds.includes(c.id));
    if (others.length > 0) {
      blocks.push(p(L('その他の連絡先は次のとおりです。', 'Other contacts:')));
      blocks.push({ kind: 'list', items: others.map((c) => contactInline(c.id)) });
    }
    if (op.privacy_officer) blocks.push(p(L(`個人情報の取扱いに関する責任者: ${t(op.privacy_officer)}`, `Person responsible for personal information: ${t(op.privacy_officer)}`)));
    add('contact', L('お問い合わせ・苦情の窓口', 'Contact and complaints'), blocks);
  }

  // 18. Accredited organization
  if (policy.operator.accredited_organization) {
    const a = policy.operator.accredited_organization;
    const items: Array<{ term: string; content: Rich }> = [
      { term: L('認定個人情報保護団体の名称', 'Name'), content: [t(a.name)] },
      { term: L('苦情の解決の申出先', 'Complaints office'), content: [t(a.complaint_office)] },
      { term: L('住所', 'Address'), content: [t(a.address)] },
      { term: L('電話番号', 'Phone'), content: [a.phones.join(L('、', ', '))] },
    ];
    if (a.url) items.push({ term: L('ウェブサイト', 'Website'), content: [{ href: a.url, text: a.url }] });
    add('accredited', L('認定個人情報保護団体', 'Accredited personal information protection organization'), [
      p(L(`${self.ja}は、次の認定個人情報保護団体の対象事業者です。同団体では、対象事業者の個人情報の取扱いに関する苦情の解決を受け付けています。`, 'We are a member of the following accredited personal information protection organization, which handles complaints about how its members handle personal information.')),
      { kind: 'fields', items },
      p(L(`同団体は、本サービスの内容や${self.ja}へのお問い合わせの窓口ではありません。本サービスに関するお問い合わせは、前記の窓口までご連絡ください。`, 'The organization is not a contact point for the service itself; please send questions about the service to our contacts above.')),
      ...(a.note ? [p(t(a.note))] : []),
    ]);
  }

  // 19. Changes to this policy
  {
    const ch = policy.changes ?? { methods: ['publish' as const], effective: 'on_publication' as const };
    const methodNames: Record<'publish' | 'notify' | 'banner' | 'email', { ja: string; en: string }> = {
      publish: { ja: '本サービス上での掲示', en: 'posting on the service' },
      notify: { ja: 'ご本人への通知', en: 'notifying you' },
      banner: { ja: '本サービス上でのお知らせの表示', en: 'a notice shown on the service' },
      email: { ja: '登録メールアドレスへの電子メール', en: 'email to your registered address' },
    };
    const how = ch.methods.map((m) => methodNames[m][lang]);
    const when = ch.effective === 'on_publication'
      ? L('変更後の本ポリシーは、本サービス上に掲示した時から効力を生じます。', 'The revised policy takes effect when it is posted on the service.')
      : L('変更後の本ポリシーは、お知らせの際に定める効力発生日から効力を生じます。', 'The revised policy takes effect on the date we state when we announce it.');
    const blocks: Block[] = [
      p(L(`${self.ja}は、法令の改正や事業内容の変化等に応じて、本ポリシーを変更することがあります。重要な変更を行う場合は、${listAnd(how)}によりお知らせします。${when}`, `We may revise this policy when laws or our business change. We announce important changes by ${listAnd(how)}. ${when}`)),
      p(L('利用目的の変更を伴う場合は、前記「利用目的の変更」に定めるところによります。', 'Changes to the purposes of use follow the section on changes to the purposes of use.')),
    ];
    if (ch.note) blocks.push(p(t(ch.note)));
    add('changes', L('本ポリシーの変更', 'Changes to this policy'), blocks);
  }

  // 20. Revision history
  const history = mergedHistory(policy, opts);
  if (history.length > 0) {
    add('history', L('改定履歴', 'Revision history'), [
      {
        kind: 'list',
        items: history.map((h) => {
          const label = h.kind === 'established' ? L('制定', 'Established') : L('改定', 'Revised');
          const version = h.version ? L(`（第${h.version}版）`, ` (version ${h.version})`) : '';
          const note = h.note ? L(`：${t(h.note)}`, `: ${t(h.note)}`) : '';
          return [L(`${formatDualDate(h.date, 'ja')}　${label}${version}${note}`, `${formatDualDate(h.date, 'en')}: ${label}${version}${note}`)];
        }),
      },
    ]);
  }

  const meta: string[] = [];
  const established = history.find((h) => h.kind === 'established');
  const last = history.at(-1);
  if (established) meta.push(L(`制定日: ${formatDualDate(established.date, 'ja')}`, `Established: ${formatDualDate(established.date, 'en')}`));
  if (last && last.kind === 'revised') meta.push(L(`最終改定日: ${formatDualDate(last.date, 'ja')}`, `Last revised: ${formatDualDate(last.date, 'en')}`));
  if (opts.version) meta.push(L(`第${opts.version.number}版（${formatWesternDate(opts.version.effectiveOn, 'ja')}施行）`, `Version ${opts.version.number}, effective ${formatWesternDate(opts.version.effectiveOn, 'en')}`));

  const operatorName = t(policy.operator.name);
  const selfIntro = self.ja === '運営者' ? `${operatorName}（以下「運営者」といいます。）` : `${operatorName}（以下「${self.ja}」といいます。）`;
  const intro: Block[] = [
    p(L(`${selfIntro}は、${service}（以下「本サービス」といいます。）における個人情報等の取扱いについて、個人情報の保護に関する法律（以下「個人情報保護法」といいます。）その他の関係法令及びガイドラインを遵守し、次のとおりプライバシーポリシー（以下「本ポリシー」といいます。）を定めます。`, `${operatorName} ("we") has set out this privacy policy ("this policy") on how it handles personal information in ${service} ("the service"), in compliance with the Act on the Protection of Personal Information ("the Act") and related laws and guidelines.`)),
  ];
  if (policy.service.scope) intro.push(p(t(policy.service.scope)));

  return {
    lang,
    title: L('プライバシーポリシー', 'Privacy Policy'),
    serviceName: service,
    intro,
    meta,
    sections: sections.map((s, i) => ({ ...s, id: s.key.replace(/_/g, '-'), number: i + 1 })),
    closing: lang === 'ja' ? '以上' : undefined,
  };
}

/** Statute citation in English form: 「35条1項・5項」 → "35(1), (5)". */
function articleEn(article: string): string {
  return article
    .replace(/(\d+)条(?:(\d+)項)?(?:(\d+)号)?/g, (_m, a: string, b?: string, c?: string) => `${a}${b ? `(${b})` : ''}${c ? `(${c})` : ''}`)
    .replace(/(\d+)項/g, '($1)')
    .replace(/(\d+)号/g, '($1)')
    .replace(/・/g, ', ')
    .replace(/〜/g, '–')
    .replace(/ただし書/g, ' proviso');
}

type ProcedureFieldKey = 'channels' | 'identity' | 'agents' | 'fee' | 'delivery' | 'forms' | 'target_days' | 'postage' | 'note';
interface ProcedureField {
  key: ProcedureFieldKey;
  term: string;
  content: Rich;
}
/** Fields stated once for all kinds when every kind has the same value (never the fee: 38条 differs by kind). */
const commonFieldKeys: ProcedureFieldKey[] = ['channels', 'identity', 'agents', 'forms', 'target_days', 'postage'];

function joinLast(items: string[], sep: string, last: string): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(sep)}${last}${items.at(-1)}`;
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

export interface HistoryEntry {
  date: string;
  kind: 'established' | 'revised';
  note?: Text;
  version?: number;
}

/**
 * The file's own history (revisions from before mamori) merged with published versions, oldest first. A version on
 * the same date as a file entry is the same revision. Without a file history, the first version is 制定.
 */
export function mergedHistory(policy: Policy, opts: Pick<DocumentOptions, 'versions' | 'version'>): HistoryEntry[] {
  const byDate = new Map<string, HistoryEntry>();
  for (const h of policy.history) byDate.set(h.date, { date: h.date, kind: h.kind, ...(h.note ? { note: h.note } : {}) });
  const versions = [...(opts.versions ?? [])];
  if (opts.version && !versions.some((v) => v.number === opts.version!.number)) versions.push(opts.version);
  for (const v of versions) {
    if (opts.version && v.number > opts.version.number) continue;
    const existing = byDate.get(v.effectiveOn);
    if (existing) existing.version = v.number;
    else byDate.set(v.effectiveOn, { date: v.effectiveOn, kind: 'revised', version: v.number });
  }
  const entries = [...byDate.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  // With no history in the file, the first published version is the establishment. A file that lists only revisions
  // (the establishment date is not known) is taken at its word.
  if (policy.history.length === 0 && entries.length > 0) entries[0]!.kind = 'established';
  return entries;
}
