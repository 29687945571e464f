import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { lintChanged, ruleCases } from '../fixtures/policies/policy-fixture.ts';
import { parsePolicy } from '../../src/policy/load-policy.ts';
import type { Policy } from '../../src/policy/schema.ts';

// Issue 13, round 2 of legal fidelity: each case names its article.

type OptOut = NonNullable<Policy['provision']['opt_out']>;
const optOut = (extra: Partial<OptOut> = {}): OptOut => ({
  purpose: 'share_with_partners',
  data: ['email'],
  recipients: '提携する調査会社',
  acquisition: '会員登録の際に本人から取得します',
  method: '電子ファイルを暗号化して送付',
  stop_request_contacts: ['privacy_desk'],
  update_method: '毎月の更新時に差し替え',
  start_date: '2025-06-01',
  ppc_filing: { status: 'filed', filed_on: '2025-04-01' },
  ...extra,
});
const sharingPurpose = (p: Policy) => {
  p.purposes.push({ id: 'share_with_partners', kind: 'marketing', description: { ja: '提携する調査会社へ提供するため', en: 'To provide to partner research firms' }, subject_groups: ['users'], data: ['email'], choice: 'none' });
};
const withDisclosureFee = (amount: number, tax: 'included' | 'excluded' | 'not_applicable') => (p: Policy) => {
  const d = p.requests.kinds.disclosure;
  if (d) d.fee = { amount, tax, unit: 'per_request', payment: ['bank_transfer'] };
};
type Foreign = Policy['provision']['foreign'][number];
const foreign = (extra: Partial<Foreign>) => (p: Policy) => {
  p.provision.foreign.push({ id: 'card_issuer', recipient: { ja: 'カード発行会社', en: 'The card issuer' }, data: ['email'], basis: 'consent', regime: '国により異なります', measures: '国により異なります', ...extra });
  if (extra.country) p.security?.foreign_environment.push({ country: extra.country, what: '決済', regime: '制度の概要' });
};
const entrusted = (p: Policy) => {
  p.subject_groups.push({ id: 'end_users', kind: 'member_end_users', name: '会員企業の顧客', role: 'processor', entrusted_by: '会員企業' });
  p.data.push({ id: 'customer_list', category: 'name', subject_groups: ['end_users'], acquisition: [{ method: 'third_party' }], published_by_user: false });
  p.purposes.push({ id: 'entrusted_work', kind: 'service', description: '委託された業務を行うため', subject_groups: ['end_users'], data: ['customer_list'], choice: 'none' });
};
type JointUse = Policy['provision']['joint_use'][number];
const jointUse = (extra: Partial<JointUse> = {}) => (p: Policy) => {
  p.provision.joint_use.push({ id: 'group', data: ['email'], users_scope: '当社グループ各社', purposes: 'サービスのご案内', responsible: { kind: 'corporation', name: '株式会社テスト', address: '東京都千代田区', representative: '代表取締役 山田太郎' }, ...extra });
};

describe('legal fidelity: fees, countries, opt-out, joint use, security (issue 13)', () => {
  ruleCases('appi-38-fee-reasonable', {
    passes: [
      { name: 'a ¥1,500 disclosure fee (the Misskey seed)', change: withDisclosureFee(1500, 'included') },
      { name: 'a ¥5,500 tax-included disclosure fee (the hosting seed)', change: withDisclosureFee(5500, 'included') },
      { name: 'exactly the line, ¥10,000 tax included', change: withDisclosureFee(10_000, 'included') },
    ],
    fails: [
      { name: 'a ¥1,000,000 disclosure fee (38条2項)', change: withDisclosureFee(1_000_000, 'included'), at: 'amount: 1000000', says: '38条2項' },
      { name: 'a ¥9,500 fee that is above the line once tax is added', change: withDisclosureFee(9500, 'excluded'), says: '¥10,450 tax included' },
    ],
  });

  ruleCases('appi-28-country', {
    passes: [
      { name: 'a recipient in the US', change: foreign({ country: 'US' }) },
      { name: 'a card issuer whose country cannot be identified, with the reason (規則17条3項)', change: foreign({ country_unidentified: { reason: 'お客様がお使いのカードの発行会社によって異なるため', reference: 'カード発行会社の所在国は、カード裏面の発行会社にお問い合わせください' } }) },
    ],
    fails: [
      { name: 'a recipient with neither a country nor the reason it is unknown', change: foreign({}), at: 'id: card_issuer', says: '規則17条3項' },
      { name: 'an unidentified country relied on as an equivalent system', change: foreign({ basis: 'equivalent_system', country_unidentified: { reason: '不明' } }), at: 'basis: equivalent_system' },
      { name: 'both a country and the statement that it cannot be identified', change: foreign({ country: 'US', country_unidentified: { reason: '不明' } }), at: 'country_unidentified' },
    ],
  });

  ruleCases('appi-27-2-opt-out-purpose', {
    passes: [{ name: 'opt-out provision under a declared purpose that covers its data (27条2項2号)', change: (p) => { sharingPurpose(p); p.provision.opt_out = optOut(); } }],
    fails: [
      { name: 'opt-out provision with no declared purpose', change: (p) => { p.provision.opt_out = optOut({ purpose: undefined }); }, says: '27条2項2号' },
      { name: 'opt-out provision naming an undeclared purpose', change: (p) => { p.provision.opt_out = optOut({ purpose: 'nowhere' }); }, at: 'purpose: nowhere', says: 'not a declared purpose' },
      { name: 'opt-out of data the declared purpose does not cover', change: (p) => { sharingPurpose(p); p.provision.opt_out = optOut({ data: ['email', 'access_log'] }); }, at: 'purpose: share_with_partners', says: '"access_log"' },
    ],
  });

  ruleCases('appi-27-5-joint-use-entrusted', {
    passes: [{ name: 'joint use of the operator\'s own data', change: jointUse() }],
    fails: [{ name: 'joint use of data entrusted by member companies (27条5項1号)', change: (p) => { entrusted(p); jointUse({ data: ['email', 'customer_list'] })(p); }, at: '- customer_list', says: 'entrusted work' }],
  });

  ruleCases('appi-27-5-joint-use-representative', {
    passes: [
      { name: 'a corporation with its representative', change: jointUse() },
      { name: 'an individual responsible without a representative (27条5項3号)', change: jointUse({ responsible: { kind: 'individual', name: '山田太郎', address: '東京都千代田区' } }) },
    ],
    fails: [{ name: 'a corporation without a representative', change: jointUse({ responsible: { kind: 'corporation', name: '株式会社テスト', address: '東京都千代田区' } }), at: 'responsible', says: 'representative' }],
  });

  ruleCases('appi-32-security-withheld', {
    passes: [{ name: 'measures withheld but each category stated in general terms', change: (p) => { if (p.security) p.security.withheld = 'その他の措置はお問い合わせに応じて遅滞なく回答します。'; } }],
    fails: [{
      name: 'measures answered on request with nothing published (施行令10条1号)',
      change: (p) => { p.security = { organizational: [], human: [], physical: [], technical: [], foreign_environment: [], withheld: '安全管理措置の内容は、ご本人の求めに応じて遅滞なく回答します。' }; },
      at: 'withheld',
      says: '施行令10条1号',
    }],
  });

  test('appi-32-security-measures: measures answered on request are at most a warning, never an error', () => {
    const { issues } = lintChanged((p) => { p.security = { organizational: [], human: [], physical: [], technical: [], foreign_environment: [], withheld: '安全管理措置の内容は、ご本人の求めに応じて遅滞なく回答します。' }; });
    assert.deepEqual(issues.filter((i) => i.severity === 'error').map((i) => i.rule), []);
    assert.ok(issues.some((i) => i.rule === 'appi-32-security-withheld' && i.severity === 'warning'));
  });

  ruleCases('appi-31-person-related', {
    passes: [{
      name: 'device data sent to card issuers together with name and email: 個人データ under 27条, not 個人関連情報',
      change: (p) => {
        p.data.push({ id: 'device', category: 'device_info', nature: 'person_related', subject_groups: ['users'], acquisition: [{ method: 'automatic' }], published_by_user: false });
        p.purposes[0]?.data.push('device');
        p.provision.consent_based.push({ id: 'three_d_secure', recipient: 'カード発行会社', data: ['email', 'device'], purpose: '不正利用の検知（3-Dセキュア）' });
      },
    }],
    fails: [{
      name: 'device data alone sent to an ad company',
      change: (p) => {
        p.data.push({ id: 'device', category: 'device_info', nature: 'person_related', subject_groups: ['users'], acquisition: [{ method: 'automatic' }], published_by_user: false });
        p.purposes[0]?.data.push('device');
        p.provision.consent_based.push({ id: 'ads', recipient: '広告会社', data: ['device'], purpose: '広告配信' });
      },
      at: '- device',
      says: '31条',
    }],
  });

  ruleCases('appi-32-group-member-identity', {
    passes: [{ name: 'a group company with its address and representative', change: (p) => { p.operator.group_members.push({ id: 'rental', name: '株式会社テスト賃貸', address: '東京都港区', representative: '代表取締役 佐藤花子', role: '賃貸物件の仲介・管理' }); } }],
    fails: [{ name: 'a group company without a representative (32条1項1号)', change: (p) => { p.operator.group_members.push({ id: 'rental', name: '株式会社テスト賃貸', address: '東京都港区', role: '賃貸物件の仲介・管理' }); }, at: 'id: rental', says: 'representative' }],
  });

  ruleCases('policy-fill-in', {
    passes: [{ name: 'a text that mentions todo lists in lower case', change: (p) => { p.service.scope = 'タスク管理（todo リスト）機能を含みます'; } }],
    fails: [
      { name: 'a template\'s ORIGINAL-MISSING left in', change: (p) => { p.operator.address = 'ORIGINAL-MISSING'; }, at: 'ORIGINAL-MISSING', says: 'operator.address' },
      { name: 'a TODO left in', change: (p) => { p.operator.representative = 'TODO: 代表者名'; }, at: 'TODO', says: 'TODO' },
      { name: 'a phone number of x', change: (p) => { p.operator.contacts.push({ id: 'phone', kind: 'phone', value: '03-xxxx-xxxx' }); }, at: '03-xxxx-xxxx', says: 'xxx' },
      { name: 'a name of 〇〇', change: (p) => { p.operator.name = '株式会社〇〇'; }, at: '株式会社〇〇' },
    ],
  });
});

describe('countries are ISO 3166-1 (28条, 規則17条)', () => {
  const base = readFileSync(new URL('../fixtures/policies/base.yaml', import.meta.url), 'utf8');
  test('refuses a country code that is no country, naming its line', () => {
    const r = parsePolicy(`${base}provision:\n  outsourcing:\n    - id: mail\n      task: メール配信\n      data: [email]\n      country: XX\n`, 'policy.yaml');
    assert.equal(r.ok, false);
    if (r.ok) return;
    const issue = r.issues[0];
    assert.ok(issue);
    assert.match(issue.message, /ISO 3166-1/);
    assert.match(`${base}provision:\n  outsourcing:\n    - id: mail\n      task: メール配信\n      data: [email]\n      country: XX\n`.split('\n')[issue.line - 1] ?? '', /country: XX/);
  });
  test('accepts every code a policy is likely to use', () => {
    for (const code of ['US', 'JP', 'DE', 'GB', 'SG', 'IE', 'KR', 'TW']) {
      const r = parsePolicy(`${base}provision:\n  outsourcing:\n    - id: mail\n      task: メール配信\n      data: [email]\n      country: ${code}\n`, 'policy.yaml');
      assert.equal(r.ok, true, code);
    }
  });
});
