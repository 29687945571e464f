import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { renderPolicy } from '../../src/policy/render.ts';
import { loadExample, assertLintsClean, testRenderedFacts, type SeedFact } from './support.ts';

/** The topics of seed 002, as the published policy must state them. */
const facts: SeedFact[] = [
  { topic: 'operator', ja: ['株式会社ミクシィ', 'mixi'], en: ['mixi, Inc.', 'mixi'] },
  { topic: 'operator address', ja: '〒150-0011 東京都渋谷区東一丁目2番20号 住友不動産渋谷ファーストタワー7階', en: 'Sumitomo Fudosan Shibuya First Tower 7F, 1-2-20 Higashi, Shibuya-ku, Tokyo 150-0011' },
  { topic: 'customers', ja: 'お客様', en: 'Customers' },
  {
    topic: 'data kinds',
    ja: ['氏名', '生年月日', '年齢', '性別', '住所', '電話番号', '家族構成', '趣味・嗜好', '電子メールアドレス', 'ID', 'IPアドレス及びタイムスタンプ', '勤務先・所属', '勤務先の住所・電話番号', 'クレジットカード番号', '銀行口座番号', '訪れたホームページの情報', '苦情・ご相談・お問い合わせの内容'],
    en: ['Name', 'Date of birth', 'Age', 'Gender', 'Postal address', 'Phone number', 'Family composition', 'Hobbies and preferences', 'Email address', 'ID', 'IP address and timestamp', 'Employer, affiliation and occupation', "Employer's address and phone number", 'Credit card number', 'Bank account number', 'Web pages you visited', 'Complaints, consultations and inquiries'],
  },
  { topic: 'browser data for cookies and ads', ja: ['Cookie 情報', 'ご覧になった広告', 'ご利用環境', 'ご利用の時間帯'], en: ['Cookie information', 'Ads you have seen', 'Your browsing environment', 'When and how you use the service'] },
  {
    topic: 'the seven purposes',
    ja: ['当社サービスを提供し、またそのご案内', '利用料金をご請求するため', 'プレゼントのお届け', '年齢・職業・性別・趣味・嗜好などに合わせて', '広告の配信を最適化する', '新しいサービスを開発するため', '利用規約に違反する使い方を防ぐ', '統計データを、特定の個人を識別できない形で作成するため'],
    en: ['To provide our service and tell you about it', 'To bill customers of paid services', 'send you gifts', 'to your age, occupation, gender, interests and preferences', 'the ads we deliver', 'develop new ones', 'breaks its terms of use', 'produce statistics about our service'],
  },
  { topic: 'analysis for advertisers and survey targets', ja: ['広告主・情報提供元・サービス提供元', 'アンケートの対象者'], en: ['advertisers, content providers and service providers', 'invite to surveys'] },
  { topic: 'page-specific purposes take precedence', ja: '個別のページで利用目的を別に示している場合は、その記載が優先します', en: 'that statement takes precedence' },
  { topic: 'changing purposes needs consent', ja: 'ご同意をいただきます', en: 'ask for your consent' },
  { topic: 'lawful acquisition and checking indirect sources', ja: ['適法かつ公正な手段', '提供元がご本人から適正に取得したものかを確認'], en: ['lawful and fair means', 'the provider obtained it properly from the person'] },
  { topic: 'accuracy and safe management', ja: '正確かつ最新の内容に保つ', en: 'accurate and up to date' },
  { topic: 'outsourcing supervision', ja: ['個人情報の預託に関する基本契約', '必要かつ適切に監督'], en: ['master agreement on entrusting personal information', 'supervise each contractor'] },
  { topic: 'statutory exceptions', ja: ['法令に基づく場合', '人の生命、身体又は財産の保護', '公衆衛生の向上又は児童の健全な育成', '国の機関・地方公共団体'], en: ['required or permitted by law', "protect a person's life, body or property", 'improve public health or promote the sound growth of children', 'national or local government body'] },
  { topic: 'ad delivery by third-party companies', ja: ['第三者企業による広告配信', '当該事業者のサーバーに記録され、当該事業者のプライバシーポリシーに従って管理'], en: ['Ad delivery by third-party companies', 'recorded on its servers and managed under its own privacy policy'] },
  { topic: 'cookies refused in browser settings', ja: ['ブラウザの設定でクッキーを受け付けないようにできます', 'クッキーを使う広告の設定が反映されない'], en: ['set your browser to refuse cookies', 'ad settings that rely on cookies cannot take effect'] },
  { topic: 'disclaimer for what the customer reveals', ja: 'ご自身でサービスの機能その他の方法により第三者に明らかにした', en: 'when you reveal your personal information to them yourself' },
  { topic: 'statistics used freely', ja: '特段の制限なく利用することがあります', en: 'without particular restriction' },
  { topic: 'request kinds', ja: ['利用目的の通知', '開示（第三者提供記録を含む）', '訂正・追加・削除', '利用停止・消去', '第三者提供の停止'], en: ['Notification of purposes of use', 'Disclosure (including third-party provision records)', 'Correction, addition or deletion', 'Suspension of use or erasure', 'Stopping provision to third parties'] },
  { topic: 'procedures page', ja: 'http://mixi.co.jp/privacy/procedures/', en: 'http://mixi.co.jp/privacy/procedures/' },
  { topic: 'disclosure refusal grounds', ja: ['生命・身体・財産その他の権利利益を害するおそれ', '業務の適正な実施に著しい支障', '他の法令に違反する'], en: ['harm the life, body, property or other rights', 'seriously hinder the proper conduct of our business', 'violate another law'] },
  { topic: 'web form contact', ja: 'https://mixi.co.jp/inquiry/others/', en: 'https://mixi.co.jp/inquiry/others/' },
  { topic: 'postal contact and attention', ja: ['〒150-0011', '個人情報保護管理責任者'], en: ['Tokyo 150-0011', 'Personal Information Protection Manager'] },
  { topic: 'accredited organization', ja: ['一般財団法人日本情報経済社会推進協会', '個人情報保護苦情相談室', '〒106-0032 東京都港区六本木一丁目9番9号 六本木ファーストビル内'], en: ['Japan Institute for Promotion of Digital Economy and Community (JIPDEC)', 'Personal Information Protection Complaint Consultation Office', '1-9-9 Roppongi, Minato-ku, Tokyo 106-0032'] },
  { topic: 'accredited organization phones', ja: ['03-5860-7565', '0120-700-779'], en: ['03-5860-7565', '0120-700-779'] },
  { topic: 'accredited organization is not a service contact', ja: 'mixi のサービスについてのお問い合わせ先ではありません', en: 'not, however, a contact point for the mixi service' },
  { topic: 'help page', ja: 'http://mixi.jp/help.pl', en: 'http://mixi.jp/help.pl' },
  { topic: 'changes announced on the site', ja: '大切な変更があるときは、サイトに掲示してお知らせします', en: 'Important changes are announced on the site' },
  { topic: 'revision date', ja: '2012年9月3日（平成24年9月3日）', en: 'September 3, 2012' },
];

describe('example: social-network (seed 002)', () => {
  const loaded = loadExample('social-network');
  const policy = loaded.policy;

  test('parses and lints clean', () => {
    assertLintsClean(loaded, {
      // The seed's browser-setting opt-out is kept rather than asking consent first (see the file).
      warnings: ['appi-31-person-related'],
    });
  });

  test('names JIPDEC as its accredited organization, with both phone numbers', () => {
    const org = policy.operator.accredited_organization;
    assert.ok(org);
    assert.deepEqual(org.phones, ['03-5860-7565', '0120-700-779']);
  });

  test('takes requests by web form and by post, addressed to the privacy manager', () => {
    const kinds = policy.operator.contacts.map((c) => c.kind).sort();
    assert.deepEqual(kinds, ['postal', 'web_form']);
    assert.ok(policy.operator.contacts.find((c) => c.kind === 'postal')?.attention);
    assert.equal(Object.keys(policy.requests.kinds).length, 5);
  });

  test('delivers ads through third-party companies with a browser-setting opt-out', () => {
    const ads = policy.tools.find((t) => t.catalog === 'ad_delivery');
    assert.equal(ads?.choice, 'opt_out');
    assert.ok(policy.purposes.some((p) => p.kind === 'advertising'));
    assert.ok(policy.purposes.some((p) => p.kind === 'statistics'));
  });

  testRenderedFacts(loaded, facts);

  test('shows the 2012 date as a revision, not as the establishment, since the first version\'s date is unknown', () => {
    const ja = renderPolicy(policy, { lang: 'ja', format: 'md' });
    assert.match(ja, /2012年9月3日（平成24年9月3日）\s*改定/);
    assert.doesNotMatch(ja, /制定/);
  });
});
