import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { renderPolicy } from '../../src/policy/render.ts';
import { loadExample, assertLintsClean, testRenderedFacts, type SeedFact } from './support.ts';

/** The topics of seed 004, as the published policy must state them. */
const facts: SeedFact[] = [
  { topic: 'operator', ja: ['アズポケット株式会社', '〒542-0081 大阪府大阪市中央区南船場四丁目10番5号 南船場SOHOビル702号室'], en: ['AzPocket, Inc.', '4-10-5 Minamisenba, Chuo-ku, Osaka 542-0081'] },
  { topic: 'representative', ja: '代表取締役 伊丹 浩', en: 'Hiroshi Itami, Representative Director' },
  { topic: 'contact page', ja: 'https://www.azpocket.co.jp/contact', en: 'https://www.azpocket.co.jp/contact' },
  { topic: 'basic policy as an infrastructure company', ja: 'インターネットインフラを担う企業として', en: 'As a company providing internet infrastructure' },
  { topic: 'subject groups', ja: ['当社サービスの利用者', 'お問い合わせをされた方', '当社ウェブサイトの閲覧者', '採用応募者', '従業員', '取引先'], en: ['Customers of our services', 'People who contact us', 'Visitors to our websites', 'Job applicants', 'Employees', 'Business partners'] },
  { topic: 'customers\' contact details', ja: ['氏名', '住所', 'メールアドレス', '電話番号'], en: ['Name', 'Postal address', 'Email address', 'Phone number'] },
  { topic: 'login history and communication logs', ja: ['ログイン履歴', '通信ログ', '通信日時、IPアドレス、Cookie'], en: ['Login history', 'Communication logs', 'Time of communication, IP address, cookies'] },
  { topic: 'inquiry content', ja: 'お問い合わせ等の連絡内容', en: 'What you tell us in inquiries' },
  { topic: 'card and transfer account', ja: ['クレジットカード情報', '名義、カード番号、有効期限', '振込時に利用された口座の情報'], en: ['Payment card information', 'Cardholder name, card number and expiry date', 'account used for a bank transfer'] },
  { topic: 'contract information', ja: ['契約情報', '利用契約に伴いご提供いただいた情報'], en: ['Contract information', 'under your service contract'] },
  { topic: 'site visitors\' access logs', ja: ['アクセスログ', 'アクセス日時、IPアドレス、ホスト名'], en: ['Access logs', 'Time of access, IP address, host name'] },
  { topic: 'applicants\' résumés', ja: '履歴書その他の応募書類の記載事項', en: 'résumé and other application documents' },
  { topic: 'employees', ja: ['生年月日', '給与の支払に必要な口座情報等', '健康診断の結果など'], en: ['Date of birth', 'needed to pay salaries', 'Health check results'] },
  { topic: 'health information is sensitive', ja: '要配慮個人情報', en: 'Special care-required' },
  { topic: 'business partners', ja: '取引先の担当者', en: "partners' staff" },
  {
    topic: 'the 17 purposes',
    ja: ['契約の締結・更新', '利用者ご本人を特定するため', '利用料金を請求するため', '集計して統計情報とし', 'アップデートやキャンペーン', 'ダイレクトメール', 'サービスの障害やウェブサイトの保守作業', 'ご利用をご検討中の方からのご質問・ご相談', 'ご利用の状況をお伝えするため', 'アンケートや取材', '広告配信に活かすため', '公的機関に情報を提供する場合を含みます', '紛争や訴訟に対応するため', '商談・合意、契約の履行', '取引先の情報を管理するため', '採用応募者の選考', '福利厚生の提供、健康管理', '付随し、又は関連する業務'],
    en: ['conclude and renew service contracts', 'To identify each customer', 'To bill for our services', 'compile statistics', 'campaigns', 'direct mail', 'outages, website maintenance', 'people considering our services', 'report to customers how they have used the services', 'surveys or interviews', 'delivering ads', 'giving information to public authorities', 'disputes and lawsuits', 'negotiate and agree with business partners', 'manage information about business partners', 'select job applicants', 'provide benefits and look after their health', 'accompanies or relates to our services'],
  },
  { topic: 'consent before use beyond the purposes', ja: 'あらかじめ適切な方法でご本人の同意を得ます', en: 'we obtain your consent in an appropriate way' },
  { topic: 'Google Analytics with the opt-out add-on', ja: ['Google Analytics', 'Google アナリティクス オプトアウト アドオン', 'https://tools.google.com/dlpage/gaoptout?hl=ja', 'https://marketingplatform.google.com/about/analytics/terms/jp/', 'https://policies.google.com/privacy?hl=ja', '特定の個人を識別する情報は含まれません'], en: ['Google Analytics', 'Google Analytics Opt-out Add-on', 'https://tools.google.com/dlpage/gaoptout?hl=ja', 'https://marketingplatform.google.com/about/analytics/terms/jp/', 'https://policies.google.com/privacy?hl=ja', 'nothing that identifies a specific person'] },
  { topic: 'statutory exceptions', ja: ['法令に基づく場合', '人の生命、身体又は財産の保護', '公衆衛生の向上', '国の機関・地方公共団体'], en: ['required or permitted by law', "protect a person's life, body or property", 'improve public health', 'national or local government body'] },
  { topic: 'outsourcing with confidentiality', ja: ['守秘義務', '再委託先を含みます'], en: ['confidentiality', 'including their subcontractors'] },
  { topic: 'succession', ja: '事業の承継', en: 'business succession' },
  { topic: 'joint-use rule', ja: '共同利用者の範囲', en: 'who uses them' },
  {
    topic: 'the four security measure categories',
    ja: ['組織的安全管理措置', '人的安全管理措置', '物理的安全管理措置', '技術的安全管理措置', '事務取扱責任者', '教育・研修', '機器を制限', '不正なソフトウェア', '脆弱性'],
    en: ['Organizational measures', 'Human measures', 'Physical measures', 'Technical measures', 'officer in charge', 'education and training', 'restrict the equipment', 'malicious software', 'vulnerabilities'],
  },
  { topic: 'handling rules', ja: '個人情報取扱規程', en: 'personal information handling rules' },
  { topic: 'disclosure by post', ja: ['〒542-0081 大阪府大阪市中央区南船場四丁目10番5号 702号室 アズポケット株式会社', '個人情報開示請求書'], en: ['4-10-5-702 Minamisenba, Chuo-ku, Osaka 542-0081', 'Personal information disclosure request form'] },
  { topic: 'identity documents', ja: ['運転免許証', 'パスポート', '顔写真付き'], en: ["Driver's licence", 'Passport', 'with your photo'] },
  { topic: 'agent proofs', ja: ['戸籍謄本', '委任状', '印鑑登録証明書'], en: ['family register', 'power of attorney', 'seal registration certificate'] },
  { topic: 'identity checked against held data', ja: '当社が保有する情報と照らして', en: 'against the data we hold' },
  { topic: 'disclosure fee', ja: ['1回のご請求につき5,500円（税込）', '銀行振込'], en: ['¥5,500 (tax included) per request', 'Bank transfer'] },
  { topic: 'postage borne by the requester', ja: '郵送料は、ご本人のご負担', en: 'the postage is yours to bear' },
  { topic: 'disclosure refusal grounds', ja: ['ご本人又は代理人であることを確認できなかった場合', '生命・身体・財産その他の権利利益を害するおそれ', '業務の適正な実施に著しい支障', '他の法令に違反する'], en: ['could not confirm that the request came from the person or their agent', 'harm the life, body, property or other rights', 'seriously hinder the proper conduct of our business', 'violate another law'] },
  { topic: 'correction by the same postal procedure', ja: '個人情報訂正等請求書', en: 'Personal information correction request form' },
  { topic: 'suspension after investigation', ja: ['不正な手段による取得', '遅滞なく調査し'], en: ['acquired improperly', 'we investigate without delay'] },
  { topic: 'alternative-measure rule', ja: '代替措置', en: 'alternative measure' },
  { topic: 'request kinds', ja: ['利用目的の通知', '開示（第三者提供記録を含む）', '訂正・追加・削除', '利用停止・消去', '第三者提供の停止'], en: ['Notification of purposes of use', 'Disclosure (including third-party provision records)', 'Correction, addition or deletion', 'Suspension of use or erasure', 'Stopping provision to third parties'] },
  { topic: 'complaints', ja: '苦情', en: 'complaints' },
  { topic: 'policy changes', ja: '当社の定める方法でのご通知又は当社ウェブサイトへの掲載の時点から効力を生じます', en: 'takes effect when we notify you' },
  { topic: 'revision history (revised and in force)', ja: ['2022年4月1日（令和4年4月1日）', '改定', '同日施行'], en: ['April 1, 2022', 'Revised', 'in force the same day'] },
];

describe('example: hosting (seed 004)', () => {
  const loaded = loadExample('hosting');
  const policy = loaded.policy;

  test('parses and lints clean', () => {
    // Employees' health information is acquired under 労働安全衛生法 (20条2項1号), not by consent (see the file).
    assertLintsClean(loaded, { warnings: ['appi-20-sensitive-consent'] });
  });

  test('charges ¥5,500 tax included per disclosure request, by bank transfer or card, with postage borne by the requester', () => {
    const disclosure = policy.requests.kinds.disclosure;
    const fee = disclosure?.fee;
    assert.deepEqual({ amount: fee?.amount, tax: fee?.tax, unit: fee?.unit, payment: fee?.payment }, { amount: 5500, tax: 'included', unit: 'per_request', payment: ['bank_transfer', 'card'] });
    assert.equal(fee?.bank_account?.holder_kana, 'アズポケット（カ', 'the account holder in katakana, as the bank shows it');
    assert.match(fee?.payment_url ?? '', /^https:\/\//);
    assert.equal(disclosure?.requester_pays_postage, true);
    assert.deepEqual(disclosure?.channels, ['postal_requests']);
    assert.deepEqual(disclosure?.agents.proofs, ['family_register', 'power_of_attorney', 'seal_certificate']);
    for (const kind of ['correction', 'suspension', 'stop_provision', 'purpose_notice'] as const) {
      assert.ok(policy.requests.kinds[kind], `${kind} is offered`);
      assert.equal(policy.requests.kinds[kind]?.fee, undefined);
    }
  });

  test('treats employees\' health information as sensitive and uses it only for employment', () => {
    const health = policy.data.find((d) => d.category === 'health');
    assert.ok(health && health.subject_groups.length === 1 && health.subject_groups[0] === 'employees');
    const users = policy.purposes.filter((p) => p.data.includes(health.id)).map((p) => p.kind);
    assert.deepEqual(users, ['hr']);
  });

  test('maps every subject group to at least one of the 17 purposes', () => {
    assert.equal(policy.purposes.length, 17);
    for (const group of policy.subject_groups) assert.ok(policy.purposes.some((p) => p.subject_groups.includes(group.id)), group.id);
  });

  testRenderedFacts(loaded, facts);

  test('shows 2022-04-01 as a revision, not as the establishment, since the first version\'s date is unknown', () => {
    const ja = renderPolicy(policy, { lang: 'ja', format: 'md' });
    assert.match(ja, /最終改定日: 2022年4月1日（令和4年4月1日）/);
    assert.doesNotMatch(ja, /制定/);
  });
});
