import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { loadExample, assertLintsClean, testRenderedFacts, type SeedFact } from './support.ts';

/** The topics of seed 001, as the published policy must state them. */
const facts: SeedFact[] = [
  { topic: 'operator', ja: 'jao Community Server', en: 'jao Community Server' },
  { topic: 'services covered', ja: ['ウェブサイトとウェブサービス', 'ゲームサーバー・チャットサーバー'], en: ['website and web services', 'game servers, chat servers'] },
  { topic: 'scope excludes third-party services', ja: '第三者が運営するサービスでの取扱いには適用されません', en: 'does not cover services run by third parties' },
  { topic: 'basic policy', ja: ['滞りなく運営するために必要な範囲', '見直し、改善'], en: ['as far as needed to run the service smoothly', 'review how we handle it'] },
  { topic: 'collected automatically', ja: ['端末・ブラウザ情報', 'Cookie等の識別子', '自動的に'], en: ['Device and browser information', 'Cookie and similar identifiers', 'Automatically'] },
  { topic: 'cookie explained', ja: '同じ利用者であることを見分ける', en: 'recognise the same visitor' },
  { topic: 'inquiry data', ja: ['会社名', '氏名', 'メールアドレス', 'SNS', 'お問い合わせ内容'], en: ['Company name', 'Name', 'Email address', 'Social networking service account', 'Inquiry content'] },
  { topic: 'purposes', ja: ['本サービスをご提供するため', 'お問い合わせにお答えするため', 'ご利用状況を調べて分析し、本サービスの改善'], en: ['To provide the service to you', 'To answer your inquiries', 'analyse how the service is used and improve it'] },
  { topic: 'no use beyond the purposes', ja: '上記の利用目的の範囲を超えて利用することはありません', en: 'never use information beyond the purposes above' },
  { topic: 'provision only on legal grounds', ja: ['法令に基づく場合', '人の生命、身体又は財産の保護'], en: ['required or permitted by law', "protect a person's life, body or property"] },
  { topic: 'statistics published', ja: '個人を特定できない形にしたものを公表することがあります', en: 'We may publish usage statistics' },
  { topic: 'Google Analytics', ja: ['Google Analytics', 'Google LLC', 'https://policies.google.com/technologies/partner-sites?hl=ja', 'Google 社が同社の規約とプライバシーポリシーに従って管理'], en: ['Google Analytics', 'Google LLC', 'https://policies.google.com/technologies/partner-sites?hl=ja', 'Google manages the information under its own terms'] },
  { topic: 'Microsoft Clarity', ja: ['Microsoft Clarity', 'https://clarity.microsoft.com/terms', 'https://privacy.microsoft.com/ja-jp/privacystatement', 'Microsoft 社が同社の規約'], en: ['Microsoft Clarity', 'https://clarity.microsoft.com/terms', 'https://privacy.microsoft.com/ja-jp/privacystatement', 'Microsoft manages the information'] },
  { topic: 'tools do not identify people', ja: '個人を特定する情報は含まれません', en: 'contains nothing that identifies you' },
  { topic: 'contact by form', ja: ['お問い合わせフォーム', 'https://jao-community.example/contact'], en: ['Contact form', 'https://jao-community.example/contact'] },
  { topic: 'request kinds', ja: ['利用目的の通知', '開示（第三者提供記録を含む）', '訂正・追加・削除', '利用停止・消去', '第三者提供の停止'], en: ['Notification of purposes of use', 'Disclosure (including third-party provision records)', 'Correction, addition or deletion', 'Suspension of use or erasure', 'Stopping provision to third parties'] },
  { topic: 'disclosure refusal grounds', ja: ['生命・身体・財産その他の権利利益を害するおそれ', '業務の適正な実施に著しい支障', '他の法令に違反する'], en: ['harm the life, body, property or other rights', 'seriously hinder the proper conduct of our business', 'violate another law'] },
  { topic: 'identity confirmed first', ja: 'ご本人確認', en: 'Identity verification' },
  { topic: 'no fee', ja: '手数料はいただきません', en: 'Free of charge' },
];

describe('example: community-server (seed 001)', () => {
  const loaded = loadExample('community-server');
  const policy = loaded.policy;

  test('parses and lints clean', () => {
    assertLintsClean(loaded);
  });

  test('collects device information and cookies automatically, and inquiry details directly', () => {
    const automatic = policy.data.filter((d) => d.acquisition.some((a) => a.method === 'automatic')).map((d) => d.category);
    assert.ok(automatic.includes('device_info') && automatic.includes('cookie_id'));
    const inquiry = policy.data.filter((d) => d.subject_groups.includes('inquirers')).map((d) => d.category).sort();
    assert.deepEqual(inquiry, ['company_info', 'email', 'inquiry', 'name', 'social_accounts']);
  });

  test('uses Google Analytics and Microsoft Clarity, each with an opt-out link', () => {
    for (const catalog of ['google_analytics', 'microsoft_clarity'] as const) {
      const tool = policy.tools.find((t) => t.catalog === catalog);
      assert.ok(tool?.links?.opt_out, `${catalog} has an opt-out link`);
    }
  });

  test('offers every request kind through the contact form, free of charge', () => {
    const kinds = Object.entries(policy.requests.kinds);
    assert.equal(kinds.length, 5);
    for (const [, procedure] of kinds) {
      assert.ok(procedure?.channels.includes('contact_form'));
      assert.equal(procedure?.fee, undefined);
    }
  });

  testRenderedFacts(loaded, facts);

  test('may publish statistics that identify no one', () => {
    assert.equal(policy.statistics?.produces_statistics, true);
  });
});
