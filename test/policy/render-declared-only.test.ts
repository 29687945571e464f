import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadPolicyFile } from '../../src/policy/load-policy.ts';
import { renderPolicy } from '../../src/policy/render.ts';
import type { Policy } from '../../src/policy/schema.ts';
import { basePolicy, lintChanged } from '../fixtures/policies/policy-fixture.ts';

// Issue 13: the rendered policy never commits the operator to anything the file does not declare. Every commitment
// below is mapped to the field that declares it; a rendering may state it only when that field is there.

const md = (p: Policy, lang: 'ja' | 'en' = 'ja') => renderPolicy(p, { lang, format: 'md' });

interface Commitment {
  what: string;
  ja: string | RegExp;
  declaredBy: (p: Policy) => boolean;
}

const commitments: Commitment[] = [
  { what: 'a way of supervising contractors', ja: '委託契約の締結及び取扱状況の定期的な確認', declaredBy: () => false },
  { what: 'contract terms with contractors', ja: '安全管理措置、秘密保持、再委託の条件', declaredBy: (p) => p.provision.outsourcing.some((o) => o.supervision !== undefined && /安全管理措置、秘密保持、再委託の条件/.test(JSON.stringify(o.supervision))) },
  { what: 'a changes section', ja: /## \d+\. 本ポリシーの変更/, declaredBy: (p) => p.changes !== undefined },
  { what: 'a purpose-change clause', ja: /## \d+\. 利用目的の変更/, declaredBy: (p) => p.purpose_changes !== undefined },
  { what: 'a pointer to the purpose-change clause', ja: '前記「利用目的の変更」に定めるところ', declaredBy: (p) => p.purpose_changes !== undefined },
  { what: 'provision as a purpose', ja: '第三者への提供は、次の利用目的に含まれます', declaredBy: (p) => p.provision.opt_out?.purpose !== undefined },
  { what: 'provision as a purpose, unsupported', ja: '第三者への提供を利用目的に含みます', declaredBy: () => false },
  { what: 'security measures', ja: '次の措置を講じています', declaredBy: (p) => p.security !== undefined },
  { what: 'a Japan-only claim', ja: '外国において個人データを取り扱うことはありません', declaredBy: (p) => p.security !== undefined && p.security.foreign_environment.length === 0 },
  { what: 'a joint-use representative', ja: '管理について責任を有する者の名称・住所・代表者', declaredBy: (p) => p.provision.joint_use.some((j) => j.responsible.representative !== undefined) },
  { what: 'a fee payment deadline', ja: 'ご請求を取り下げたものとして取り扱います', declaredBy: (p) => Object.values(p.requests.kinds).some((k) => k?.fee?.payment_days !== undefined) },
];

function assertOnlyDeclared(name: string, p: Policy): void {
  const page = md(p);
  for (const c of commitments) {
    const stated = typeof c.ja === 'string' ? page.includes(c.ja) : c.ja.test(page);
    if (stated) assert.ok(c.declaredBy(p), `${name} states ${c.what} that the file does not declare`);
  }
}

const examples = ['misskey-server', 'community-server', 'social-network', 'saas-entrusted', 'hosting'];
const load = (path: string): Policy => {
  const r = loadPolicyFile(fileURLToPath(new URL(path, import.meta.url)));
  if (!r.ok) throw new Error(JSON.stringify(r.issues[0]));
  return r.loaded.policy;
};

describe('the rendered policy states only what the file declares', () => {
  for (const name of examples) {
    test(`example ${name}: every rendered commitment maps to a declared field`, () => assertOnlyDeclared(name, load(`../../examples/${name}/policy.yaml`)));
  }

  test('a minimal policy: no changes section, no purpose-change clause, no supervision or security it did not declare', () => {
    const p = basePolicy();
    p.changes = undefined;
    p.purpose_changes = undefined;
    p.security = undefined;
    p.provision.outsourcing.push({ id: 'mail', task: 'メール配信', data: ['email'] });
    assertOnlyDeclared('minimal', p);
    const page = md(p);
    assert.doesNotMatch(page, /本ポリシーの変更/);
    assert.doesNotMatch(page, /## \d+\. 利用目的の変更/);
    assert.doesNotMatch(page, /安全管理措置/);
    assert.match(page, /\| メール配信 \| — \| メールアドレス \| — \| — \|/);
  });

  test('outsourcing states the law\'s supervision duty (25条), never undeclared contract terms', () => {
    const p = basePolicy();
    p.provision.outsourcing.push({ id: 'mail', task: 'メール配信', data: ['email'] });
    const page = md(p);
    assert.match(page, /個人情報保護法第25条に従い、委託先に対して必要かつ適切な監督を行います/);
    assert.doesNotMatch(page, /秘密保持/);
  });

  test('no empty 外的環境の把握 heading when data goes abroad but no country is described', () => {
    const p = basePolicy();
    p.tools.push({ id: 'ga', catalog: 'google_analytics', purpose: 'provide_service', self_hosted: false });
    const page = md(p);
    assert.doesNotMatch(page, /外的環境の把握/);
    assert.doesNotMatch(page, /外国において個人データを取り扱うことはありません/);
  });

  test('a retention period is rendered once, in one table', () => {
    const p = basePolicy();
    const email = p.data.find((d) => d.id === 'email');
    if (email) email.retention = '退会後1年';
    if (p.retention) p.retention.items = [{ data: ['email'], period: '退会後1年' }, { data: ['access_log'], period: '90日' }];
    const page = md(p);
    assert.equal(page.split('退会後1年').length - 1, 1);
    assert.equal(page.split('| 情報の項目 | 保存期間 |').length - 1, 1);
  });

  test('opt-out provision renders its purpose from the declared purpose (27条2項2号)', () => {
    const p = basePolicy();
    p.purposes.push({ id: 'share', kind: 'marketing', description: '提携する調査会社へ提供するため', subject_groups: ['users'], data: ['email'], choice: 'none' });
    p.provision.opt_out = { purpose: 'share', data: ['email'], recipients: '調査会社', acquisition: '登録時', method: '電子ファイル', stop_request_contacts: ['privacy_desk'], update_method: '毎月', start_date: '2025-06-01', ppc_filing: { status: 'filed', filed_on: '2025-04-01' } };
    assert.match(md(p), /第三者への提供は、次の利用目的に含まれます：提携する調査会社へ提供するため/);
    p.provision.opt_out.purpose = undefined;
    assert.doesNotMatch(md(p), /第三者への提供を利用目的に含みます|次の利用目的に含まれます/);
  });

  test('joint use with an individual responsible names no representative (27条5項3号)', () => {
    const p = basePolicy();
    p.provision.joint_use.push({ id: 'circle', data: ['email'], users_scope: '運営協力者', purposes: '運営連絡', responsible: { kind: 'individual', name: '山田太郎', address: '東京都千代田区' } });
    const page = md(p);
    assert.match(page, /\*\*管理について責任を有する者の氏名・住所\*\*: 山田太郎／東京都千代田区/);
    assert.doesNotMatch(page, /代表者\*\*: 山田太郎／/);
  });

  test('a foreign recipient whose country cannot be identified says so, why, and what it gives instead (規則17条3項)', () => {
    const p = basePolicy();
    p.provision.foreign.push({ id: 'issuer', recipient: 'カード発行会社', data: ['email'], basis: 'consent', country_unidentified: { reason: 'お客様のカードの発行会社によって異なるため', reference: '発行会社はカード裏面に記載されています' }, measures: '発行会社により異なります' });
    const ja = md(p);
    assert.match(ja, /同意をいただく時点では、提供先の所在国を特定できません。理由：お客様のカードの発行会社によって異なるため/);
    assert.match(ja, /\*\*所在国に代わる参考情報\*\*: 発行会社はカード裏面に記載されています/);
    assert.match(md(p, 'en'), /cannot be identified when we ask for your consent/);
  });

  test('a fee payment deadline is rendered with the lapse it causes', () => {
    const p = basePolicy();
    const fee = p.requests.kinds.disclosure?.fee;
    if (fee) fee.payment_days = 30;
    assert.match(md(p), /お支払いのご案内から30日以内にお支払いを確認できない場合は、ご請求を取り下げたものとして取り扱います/);
  });
});

describe('federation (the Misskey seed and every fediverse server)', () => {
  const withFederation = (basis: 'consent' | 'person_direction') => (p: Policy) => {
    p.federation = { protocol: 'ActivityPub', delivered: ['email'], destinations: { ja: 'フォロワーのいるサーバー', en: 'Servers where your followers are' }, audience_chosen_by_person: true, basis, abroad: true, deletion: '削除の依頼を配信先に送ります。' };
  };

  test('renders what is delivered, where, on whose action, on what basis, and that servers abroad cannot be named beforehand', () => {
    const p = basePolicy();
    withFederation('consent')(p);
    const ja = md(p);
    assert.match(ja, /## \d+\. ほかのサーバーへの配信（連合）/);
    assert.match(ja, /ActivityPubにより、ほかのサーバーと連合しています/);
    assert.match(ja, /\*\*配信先\*\*: フォロワーのいるサーバー/);
    assert.match(ja, /投稿ごとにご本人が選ぶ公開範囲に従います/);
    assert.match(ja, /この配信への同意をいただいたものとして取り扱います/);
    assert.match(ja, /所在国をあらかじめ特定することはできません/);
    assert.match(ja, /それぞれのサーバーの運営者が定めるところによります/);
    const en = md(p, 'en');
    assert.match(en, /Delivery to other servers \(federation\)/);
    assert.match(en, /their countries cannot be identified in advance/);
  });

  test('a delivery on the person\'s direction does not call it consent', () => {
    const p = basePolicy();
    withFederation('person_direction')(p);
    const ja = md(p);
    assert.match(ja, /ご本人の指示に従って行うものです/);
    assert.doesNotMatch(ja, /同意をいただいたものとして/);
  });

  test('the Misskey example declares its federation and renders it', () => {
    const p = load('../../examples/misskey-server/policy.yaml');
    assert.equal(p.federation?.protocol, 'ActivityPub');
    assert.match(md(p), /当サーバーと連合するほかの Misskey・Mastodon などのサーバー/);
  });

  test('a federation delivering an undeclared data item is a lint error naming its line', () => {
    const { issues } = lintChanged((p) => { withFederation('consent')(p); p.federation!.delivered = ['posts']; });
    const issue = issues.find((i) => i.rule === 'policy-ref-data');
    assert.ok(issue);
    assert.match(issue.message, /federation refers to data item "posts"/);
  });
});

describe('35条 grounds for suspension, erasure and stopping provision', () => {
  test('the rights section states when each request can be made, the 35条5項 grounds included', () => {
    const ja = md(basePolicy());
    const suspension = ja.slice(ja.indexOf('### 利用停止・消去'), ja.indexOf('### 第三者提供の停止'));
    assert.match(suspension, /利用する必要がなくなったとき（個人情報保護法35条5項）/);
    assert.match(suspension, /報告を要する漏えい等が生じたとき（個人情報保護法35条5項・26条1項）/);
    assert.match(suspension, /権利又は正当な利益が害されるおそれがあるとき（個人情報保護法35条5項）/);
    assert.doesNotMatch(suspension, /第三者（外国にある第三者を含みます。）に提供されているとき/);
    const stop = ja.slice(ja.indexOf('### 第三者提供の停止'));
    assert.match(stop, /第三者（外国にある第三者を含みます。）に提供されているとき（個人情報保護法35条3項・27条1項・28条）/);
    assert.match(md(basePolicy(), 'en'), /We no longer need to use the data \(APPI Art\. 35\(5\)\)/);
  });
});

describe('group operators', () => {
  test('a group under one responsible company names each member and what it does, and the one contact', () => {
    const p = basePolicy();
    p.operator.group_members.push({ id: 'rental', name: { ja: '株式会社テスト賃貸', en: 'Test Rental K.K.' }, address: '東京都港区', representative: '代表取締役 佐藤花子', role: { ja: '賃貸物件の仲介・管理', en: 'Rental brokerage and management' } });
    const ja = md(p);
    assert.match(ja, /### グループ各社/);
    assert.match(ja, /本ポリシーは、株式会社テスト及び次の各社が取り扱う個人情報に適用されます/);
    assert.match(ja, /\| 株式会社テスト賃貸 \| 東京都港区 \| 代表取締役 佐藤花子 \| 賃貸物件の仲介・管理 \|/);
    assert.match(md(p, 'en'), /\| Test Rental K\.K\. \| 東京都港区 \| 代表取締役 佐藤花子 \| Rental brokerage and management \|/);
    assert.doesNotMatch(md(basePolicy()), /グループ各社/);
  });
});
