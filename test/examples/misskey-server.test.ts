import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { loadExample, assertLintsClean, testRenderedFacts, type SeedFact } from './support.ts';

/** The topics of seed 000, as the published policy must state them. */
const facts: SeedFact[] = [
  { topic: 'service', ja: 'Misskeyサーバー隠れ家', en: 'Misskey server Kakurega' },
  { topic: 'operator address (fictional)', ja: '〒150-0002 東京都渋谷区渋谷2-0-0', en: 'Tokyo 150-0002' },
  { topic: 'representative (fictional)', ja: '佐藤 陽菜', en: 'Hina Sato' },
  { topic: 'complaint contact', ja: ['privacy@kakurega.example', 'https://kakurega.example/contact'], en: ['privacy@kakurega.example', 'https://kakurega.example/contact'] },
  { topic: 'subject groups', ja: ['ユーザー', 'お問い合わせをされた方'], en: ['Users', 'People who contact us'] },
  { topic: 'data given at sign-up', ja: ['生年月日', 'メールアドレス'], en: ['Date of birth', 'Email address'] },
  { topic: 'birthdate public by choice', ja: 'ご本人の設定により公開される場合があります', en: 'May be made public if you choose to' },
  {
    topic: 'history and attribute information',
    ja: ['閲覧したページ', '検索キーワード', '利用日時・利用方法', '利用環境', 'IPアドレス', 'Cookie等の識別子', '端末の個体識別情報', '年齢'],
    en: ['Pages viewed', 'Search keywords', 'When and how you use the service', 'Your environment', 'IP address', 'Cookie and similar identifiers', 'Device identifiers', 'Age'],
  },
  { topic: 'Cloudflare Web Analytics', ja: ['Cloudflare Web Analytics', 'Cloudflare, Inc.', 'https://www.cloudflare.com/ja-jp/website-terms/', 'https://www.cloudflare.com/ja-jp/privacypolicy/', '個人を特定する情報は含まれません'], en: ['Cloudflare Web Analytics', 'Cloudflare, Inc.', 'https://www.cloudflare.com/ja-jp/website-terms/', 'https://www.cloudflare.com/ja-jp/privacypolicy/', 'do not identify anyone'] },
  { topic: 'self-hosted Sentry', ja: ['Sentry', '当サーバー内で運用する Sentry サーバー', '外部の事業者には送信されません'], en: ['Sentry', 'a Sentry server we run inside this service', 'not sent to the outside provider'] },
  { topic: 'Sentry opt-out in settings', ja: '「設定」の「プライバシー」でエラー報告をオフにすると', en: 'Turn off error reporting under Settings > Privacy' },
  {
    topic: 'what Sentry collects',
    ja: ['ブラウザのバージョン、OS、端末の種類', 'ページの読み込み時間やリソースの読み込みエラー', 'クリック、ページの移動、応答の待ち時間'],
    en: ['browser version, OS and device type', 'page load times and resource loading errors', 'clicks, page transitions and response latency'],
  },
  {
    topic: 'purposes 3.1-3.8',
    ja: ['ご自身の登録内容や利用状況を確認し', 'ご本人確認のため', '年齢や生年月日をプロフィールに表示するため', '登録済みの情報を入力欄に表示し', 'ほかのサーバーへ送信するため', 'お問い合わせに対応するにあたり', '利用規約・ガイドラインに違反する行為', '品質や表示速度を高め', '不具合やエラーの原因を特定して分析し', '上記の各目的に付随し'],
    en: ['what you registered and how you have used the service', 'to confirm that it is really you', 'show your age or date of birth on your profile', 'fill in forms with what you have already registered', 'to other servers when you tell us to', 'when answering you', 'break our terms of use or guidelines', 'improve its quality, speed and ease of use', 'causes of bugs and errors', 'accompanies and is needed for the purposes above'],
  },
  { topic: 'purpose change rule', ja: '関連性を有すると合理的に認められる範囲内', en: 'stay reasonably related to the former ones' },
  { topic: 'statutory exceptions', ja: ['人の生命、身体又は財産の保護', '公衆衛生の向上', '国の機関・地方公共団体'], en: ["protect a person's life, body or property", 'improve public health', 'national or local government body'] },
  { topic: 'moderators are not third parties', ja: 'モデレーターを含みます', en: 'including moderators' },
  { topic: 'outsourcing', ja: '取扱いの全部又は一部を委託', en: 'entrust all or part of the handling of personal data' },
  { topic: 'succession', ja: '事業の承継', en: 'business succession' },
  { topic: 'joint-use rule', ja: '共同して利用する情報の項目、共同して利用する者の範囲', en: 'the items shared, who shares them' },
  { topic: 'federation by the user\'s choice', ja: '連合する', en: 'federating with ours' },
  { topic: 'disclosure fee', ja: '1回のご請求につき1,500円', en: '¥1,500' },
  { topic: 'request kinds', ja: ['利用目的の通知', '開示（第三者提供記録を含む）', '訂正・追加・削除', '利用停止・消去', '第三者提供の停止'], en: ['Notification of purposes of use', 'Disclosure (including third-party provision records)', 'Correction, addition or deletion', 'Suspension of use or erasure', 'Stopping provision to third parties'] },
  { topic: 'disclosure refusal grounds', ja: ['生命・身体・財産その他の権利利益を害するおそれ', '業務の適正な実施に著しい支障', '他の法令に違反する'], en: ['harm the life, body, property or other rights', 'seriously hinder the proper conduct of our business', 'violate another law'] },
  { topic: 'history and attributes not disclosed', ja: 'アカウントと結び付かず保有個人データに当たらないもの', en: 'not linked to an account' },
  { topic: 'operator-specific correction cases', ja: ['アカウントが凍結されており', '事実と異なるとは認められない', '技術上当サーバーから訂正等ができない'], en: ['The account is frozen', 'do not find the registered information to be untrue', 'cannot technically be changed from our side'] },
  { topic: 'policy changes take effect on posting', ja: '掲載した時から効力を生じます', en: 'takes effect when posted on this page' },
  { topic: 'revision history', ja: ['2023年1月12日（令和5年1月12日）', '制定', '2024年10月1日（令和6年10月1日）', '改定'], en: ['January 12, 2023', 'October 1, 2024', 'Established', 'Revised'] },
];

describe('example: misskey-server (seed 000)', () => {
  const loaded = loadExample('misskey-server');
  const policy = loaded.policy;

  test('parses and lints clean', () => {
    // The seed's own correction cases are kept as operator grounds, which lint flags for review by design.
    assertLintsClean(loaded, { warnings: ['appi-37-operator-grounds'] });
  });

  test('is run by an individual, with the APPI items the seed lacked filled in', () => {
    assert.equal(policy.operator.kind, 'individual');
    assert.ok(policy.operator.address && policy.operator.representative);
    assert.ok((policy.operator.complaint_contacts ?? []).length > 0);
  });

  test('charges ¥1,500 per disclosure request and nothing for the other kinds', () => {
    const kinds = policy.requests.kinds;
    assert.deepEqual(Object.keys(kinds).sort(), ['correction', 'disclosure', 'purpose_notice', 'stop_provision', 'suspension']);
    assert.equal(kinds.disclosure?.fee?.amount, 1500);
    assert.equal(kinds.disclosure?.fee?.unit, 'per_request');
    for (const kind of ['correction', 'suspension', 'stop_provision'] as const) assert.equal(kinds[kind]?.fee, undefined);
  });

  test('uses Cloudflare Web Analytics and a self-hosted Sentry the user can opt out of', () => {
    const cloudflare = policy.tools.find((t) => t.catalog === 'cloudflare_web_analytics');
    const sentry = policy.tools.find((t) => t.catalog === 'sentry');
    assert.ok(cloudflare);
    assert.equal(sentry?.self_hosted, true);
    assert.equal(sentry?.choice, 'opt_out');
    assert.equal(sentry?.collects?.length, 3);
  });

  test('lets users publish their birthdate by their own choice', () => {
    assert.equal(policy.data.find((d) => d.category === 'birthdate')?.published_by_user, true);
  });

  testRenderedFacts(loaded, facts);

  test('keeps the revision history of the seed', () => {
    assert.deepEqual(policy.history.map((h) => [h.date, h.kind]), [['2023-01-12', 'established'], ['2024-10-01', 'revised']]);
  });
});
