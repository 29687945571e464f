import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { loadExample, assertLintsClean, testRenderedFacts, type SeedFact } from './support.ts';

/** The topics of seed 003, as the published policy must state them. */
const facts: SeedFact[] = [
  { topic: 'operator (fictional)', ja: ['株式会社ツナギテック', '代表取締役 中村 誠'], en: ['Tsunagi Tech, Inc.', 'Makoto Nakamura'] },
  { topic: 'laws followed and policy reviewed', ja: '本ポリシーを継続的に見直して改善します', en: 'keep reviewing and improving this policy' },
  { topic: 'members defined', ja: '法人・団体・組合又は個人の会員', en: 'companies, associations, cooperatives' },
  { topic: 'data entrusted by members (processor)', ja: ['会員の顧客・会員等', '本サービスを利用する各会員から個人データの取扱いの委託を受けて'], en: ["Members' customers and contacts", 'each member that uses the service entrusted us with it'] },
  { topic: 'end users ask the member first', ja: 'まずその会員にお申し出ください', en: 'please contact that member first' },
  {
    topic: 'purposes',
    ja: ['会員に合った当社のサービスを提供するため', '利用状況や稼働状況を会員にお知らせするため', '本サービスを改善し、開発するため', 'お問い合わせに対応するため', 'アンケートをお願いするため', '内容を調整したコンテンツ', 'ご利用状況などを調査し、分析するため', '利用規約に違反している方を見つけてご連絡する', '詐欺、不正アクセスその他の不正行為の調査、検知、防止及び対応', '当社及びパートナー企業のサービスなどについて会員にお知らせする', '新しいサービスの検討', '付随し、又は関連する業務'],
    en: ['provide our services in the form that suits each member', 'how the service is being used and how it is running', 'improve and develop the service', 'To respond to inquiries', 'take part in surveys', 'content adjusted to how each member uses the service', 'study and analyse how our services are used', 'finding and contacting people who break the terms of use', 'investigating, detecting, preventing and dealing with fraud, unauthorized access', 'services of ours and of our partners', 'plan new ones', 'accompanies or relates to the purposes above'],
  },
  { topic: 'entrusted data only within the original purposes', ja: 'お預かりした時点の本ポリシーに記載した利用目的の範囲を超えて利用しません', en: 'never used beyond the purposes stated in this policy when it was entrusted' },
  { topic: 'statutory exceptions', ja: ['法令に基づく場合', '人の生命、身体又は財産の保護'], en: ['required or permitted by law', "protect a person's life, body or property"] },
  { topic: 'billing through payment, credit and bank companies', ja: ['決済システム会社、クレジットカード会社、銀行など', '利用料金の決済・請求'], en: ['Payment system companies, credit card companies, banks', 'billing for paid plans'] },
  { topic: 'contractors and agents', ja: ['業務の受託者・代理人', '安全管理措置、秘密保持、再委託の条件'], en: ['Contractors and agents', 'confidentiality, subcontracting conditions'] },
  {
    topic: 'joint use with subsidiaries (27条5項3号 items)',
    ja: ['共同利用', '共同して利用される個人データの項目', '共同して利用する者の範囲', '当社及び当社の子会社', '利用する者の利用目的', '連携したサービス', '管理について責任を有する者', '〒101-0021'],
    en: ['Joint use', 'Items of personal data used jointly', 'Who uses it jointly', 'Our company and its subsidiaries', 'Purposes of the joint users', 'group companies work together', 'Party responsible', 'Tokyo 101-0021'],
  },
  { topic: 'technical information', ja: ['ログファイル', 'Cookie等の識別子', 'IPアドレス', 'アクセス回数', 'ご利用のブラウザ・OS'], en: ['Log files', 'Cookie and similar identifiers', 'IP address', 'Number of visits', 'Browser, operating system'] },
  { topic: 'cookies can be refused', ja: 'ブラウザの設定で受け入れを拒否できます', en: 'refuse them in your browser settings' },
  { topic: 'staff training', ja: '社内教育を定期的に行い', en: 'Regular in-house training' },
  { topic: 'security measures', ja: ['ファイアウォール', '不正侵入検知', 'SSL/TLS', '業務上必要な権限を与えられた者だけ', 'オンライン・オフラインの両面'], en: ['Firewalls', 'intrusion detection', 'SSL/TLS', 'only people granted the access their work needs', 'both online and offline'] },
  { topic: 'requests and complaints via the web form', ja: ['当社ウェブサイトの問い合わせフォーム', 'https://tsunagibase.example/contact'], en: ['Inquiry form on our website', 'https://tsunagibase.example/contact'] },
  { topic: 'request kinds', ja: ['利用目的の通知', '開示（第三者提供記録を含む）', '訂正・追加・削除', '利用停止・消去', '第三者提供の停止'], en: ['Notification of purposes of use', 'Disclosure (including third-party provision records)', 'Correction, addition or deletion', 'Suspension of use or erasure', 'Stopping provision to third parties'] },
  { topic: 'disclosure refusal grounds', ja: ['生命・身体・財産その他の権利利益を害するおそれ', '業務の適正な実施に著しい支障', '他の法令に違反する'], en: ['harm the life, body, property or other rights', 'seriously hinder the proper conduct of our business', 'violate another law'] },
  { topic: 'changes announced on the website', ja: '重要な変更は本ウェブサイト上でお知らせします', en: 'Important changes are announced on our website' },
];

describe('example: saas-entrusted (seed 003)', () => {
  const loaded = loadExample('saas-entrusted');
  const policy = loaded.policy;

  test('parses and lints clean', () => {
    assertLintsClean(loaded);
  });

  test('processes members\' end users\' data as a processor, entrusted by the members', () => {
    const group = policy.subject_groups.find((g) => g.kind === 'member_end_users');
    assert.equal(group?.role, 'processor');
    assert.ok(group?.entrusted_by);
    const members = policy.subject_groups.find((g) => g.kind === 'members');
    assert.equal(members?.role, 'controller');
  });

  test('uses entrusted data only for the entrusted service and never shares it in the group', () => {
    const entrusted = policy.data.filter((d) => d.category === 'entrusted_data').map((d) => d.id);
    const purposes = policy.purposes.filter((p) => p.data.some((id) => entrusted.includes(id)));
    assert.deepEqual(purposes.map((p) => p.id), ['process_entrusted']);
    for (const j of policy.provision.joint_use) assert.ok(!j.data.some((id) => entrusted.includes(id)));
  });

  test('joint use names every 27条5項3号 item', () => {
    const [group] = policy.provision.joint_use;
    assert.ok(group && group.data.length > 0 && group.users_scope && group.purposes);
    assert.ok(group.responsible.name && group.responsible.address && group.responsible.representative);
  });

  test('offers every request kind through the inquiry form, free of charge', () => {
    for (const procedure of Object.values(policy.requests.kinds)) {
      assert.ok(procedure?.channels.includes('inquiry_form'));
      assert.equal(procedure?.fee, undefined);
    }
    assert.equal(Object.keys(policy.requests.kinds).length, 5);
  });

  testRenderedFacts(loaded, facts);
});
