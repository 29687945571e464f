import { describe } from 'node:test';
import { ruleCases } from '../fixtures/policies/policy-fixture.ts';
import type { RequestProcedure } from '../../src/policy/schema.ts';

const procedure = (extra: Partial<RequestProcedure> = {}): RequestProcedure => ({
  offered: true,
  channels: ['privacy_center'],
  identity: ['email_code'],
  identity_documents: [],
  agents: { allowed: true, kinds: ['legal_representative', 'mandated'], proofs: ['power_of_attorney'] },
  forms: [],
  requester_pays_postage: false,
  operator_grounds: [],
  ...extra,
});

describe('32条 announcements', () => {
  ruleCases('appi-32-operator-address', {
    passes: [{ name: 'an operator with an address', change: () => {} }],
    fails: [{ name: 'an operator without an address', change: (p) => { p.operator.address = undefined; }, at: 'operator:', says: 'operator.address is missing' }],
  });

  ruleCases('appi-32-operator-representative', {
    passes: [
      { name: 'a corporation naming its representative', change: () => {} },
      { name: 'an individual operator without a representative', change: (p) => { p.operator.kind = 'individual'; p.operator.representative = undefined; } },
    ],
    fails: [
      { name: 'a corporation without a representative', change: (p) => { p.operator.representative = undefined; }, at: 'operator:', says: 'corporation' },
      { name: 'an association without a representative', change: (p) => { p.operator.kind = 'association'; p.operator.representative = undefined; }, says: 'association' },
    ],
  });

  ruleCases('appi-32-request-procedure', {
    passes: [{ name: 'all five kinds with a procedure', change: () => {} }],
    fails: [
      { name: 'a missing correction procedure', change: (p) => { delete p.requests.kinds.correction; }, at: 'kinds:', says: 'requests.kinds.correction is missing' },
      { name: 'stop_provision switched off with offered: false', change: (p) => { p.requests.kinds.stop_provision = procedure({ offered: false }); }, at: 'offered: false', says: 'cannot be switched off' },
    ],
  });

  ruleCases('appi-32-complaint-contact', {
    passes: [{ name: 'a complaint contact', change: () => {} }],
    fails: [
      { name: 'no complaint contact', change: (p) => { p.operator.complaint_contacts = undefined; }, says: 'privacy_desk, head_office' },
      { name: 'an empty complaint contact list', change: (p) => { p.operator.complaint_contacts = []; }, at: 'complaint_contacts' },
    ],
  });

  ruleCases('appi-32-security-measures', {
    passes: [{ name: 'measures in all four categories', change: () => {} }],
    fails: [
      { name: 'no security section', change: (p) => { p.security = undefined; }, says: 'security is missing' },
      { name: 'no physical measure', change: (p) => { if (p.security) p.security.physical = []; }, at: 'physical', says: '物理的安全管理措置' },
    ],
  });

  ruleCases('appi-32-security-basics', {
    passes: [{ name: 'a basic policy and internal rules', change: () => {} }],
    fails: [{ name: 'no basic policy', change: (p) => { if (p.security) p.security.basic_policy = undefined; }, says: '基本方針' }],
  });

  ruleCases('appi-32-foreign-environment', {
    passes: [
      { name: 'a self-hosted Sentry', change: (p) => { p.tools.push({ id: 'sentry', catalog: 'sentry', purpose: 'provide_service', self_hosted: true }); } },
      {
        name: 'Google Analytics with the US listed',
        change: (p) => {
          p.tools.push({ id: 'ga', catalog: 'google_analytics', purpose: 'provide_service', self_hosted: false });
          p.security?.foreign_environment.push({ country: 'US', what: 'アクセス解析', regime: '米国の制度' });
        },
      },
    ],
    fails: [
      { name: 'Google Analytics (US) with no foreign environment', change: (p) => { p.tools.push({ id: 'ga', catalog: 'google_analytics', purpose: 'provide_service', self_hosted: false }); }, at: 'google_analytics', says: 'country: US' },
      {
        name: 'a foreign recipient in Singapore not listed',
        change: (p) => { p.provision.foreign.push({ id: 'sg', recipient: 'SG Pte. Ltd.', country: 'SG', data: ['email'], basis: 'equivalent_system', measures: '契約で担保' }); },
        at: 'country: SG',
      },
      { name: 'an outsourcing contractor in Ireland not listed', change: (p) => { p.provision.outsourcing.push({ id: 'mail', task: 'メール配信', data: ['email'], country: 'IE' }); }, at: 'country: IE' },
    ],
  });

  ruleCases('appi-32-accredited-organization', {
    passes: [{ name: 'a member naming the complaint office phone', change: (p) => { p.operator.accredited_organization = { name: '一般財団法人テスト協会', complaint_office: '個人情報保護苦情相談室', address: '東京都港区', phones: ['03-1234-5678', '0120-700-779（平日10時〜17時）'] }; } }],
    fails: [{ name: 'a phone that is not a number', change: (p) => { p.operator.accredited_organization = { name: '一般財団法人テスト協会', complaint_office: '相談室', address: '東京都港区', phones: ['ask us'] }; }, at: 'ask us' }],
  });

  ruleCases('appi-21-tool-collects', {
    passes: [
      { name: 'a catalog tool using the catalog list', change: (p) => { p.tools.push({ id: 'sentry', catalog: 'sentry', purpose: 'provide_service', self_hosted: true }); } },
      { name: 'a custom tool listing what it collects', change: (p) => { p.tools.push({ id: 'chat', catalog: 'custom', name: 'Chat widget', purpose: 'provide_service', self_hosted: true, collects: ['チャットの内容'] }); } },
    ],
    fails: [
      { name: 'a custom tool without collects', change: (p) => { p.tools.push({ id: 'chat', catalog: 'custom', name: 'Chat widget', purpose: 'provide_service', self_hosted: true }); }, at: 'id: chat', says: 'custom tool "chat"' },
      { name: 'a catalog tool overriding collects with an empty list', change: (p) => { p.tools.push({ id: 'sentry', catalog: 'sentry', purpose: 'provide_service', self_hosted: true, collects: [] }); }, at: 'collects' },
    ],
  });

  ruleCases('appi-21-tool-opt-out', {
    passes: [{ name: 'a custom opt-out tool saying how', change: (p) => { p.tools.push({ id: 'stats', catalog: 'custom', purpose: 'provide_service', self_hosted: true, collects: ['閲覧したページ'], choice: 'opt_out', opt_out: '設定画面でオフにできます。' }); } }],
    fails: [{ name: 'a custom opt-out tool without the way out', change: (p) => { p.tools.push({ id: 'stats', catalog: 'custom', purpose: 'provide_service', self_hosted: true, collects: ['閲覧したページ'], choice: 'opt_out' }); }, at: 'id: stats' }],
  });

  ruleCases('appi-32-data-unused', {
    passes: [{ name: 'every item used by a purpose', change: () => {} }],
    fails: [{ name: 'a declared item no purpose uses', change: (p) => { p.data.push({ id: 'phone', category: 'phone', subject_groups: ['users'], acquisition: [{ method: 'direct' }], published_by_user: false }); }, at: 'id: phone', says: '"phone" is used by no purpose' }],
  });

  ruleCases('appi-21-group-without-purpose', {
    passes: [{ name: 'every group in a purpose', change: () => {} }],
    fails: [{ name: 'a group no purpose covers', change: (p) => { p.subject_groups.push({ id: 'visitors', kind: 'site_visitors', name: '訪問者', role: 'controller' }); }, at: 'id: visitors' }],
  });

  ruleCases('appi-17-purpose-changes', {
    passes: [{ name: 'a stated purpose-change rule', change: () => {} }],
    fails: [{ name: 'no purpose-change rule', change: (p) => { p.purpose_changes = undefined; }, says: '17条2項' }],
  });

  ruleCases('appi-22-retention', {
    passes: [{ name: 'a stated retention rule', change: () => {} }],
    fails: [{ name: 'no retention rule', change: (p) => { p.retention = undefined; }, says: '22条' }],
  });

  ruleCases('appi-43-anonymized-items', {
    passes: [{ name: 'anonymized data with its items and method', change: (p) => { p.statistics = { produces_statistics: true, anonymized: { produces: true, items: ['年代', '利用回数'], method: '電子メールで送付', provides_to_third_parties: true } }; } }],
    fails: [
      { name: 'anonymized data without items', change: (p) => { p.statistics = { produces_statistics: true, anonymized: { produces: true, items: [], provides_to_third_parties: false } }; }, at: 'anonymized', says: '43条3項' },
      { name: 'anonymized data provided without a method', change: (p) => { p.statistics = { produces_statistics: true, anonymized: { produces: true, items: ['年代'], provides_to_third_parties: true } }; }, at: 'provides_to_third_parties', says: '43条4項' },
    ],
  });

  ruleCases('appi-41-pseudonymized-purposes', {
    passes: [{ name: 'pseudonymized data with purposes', change: (p) => { p.statistics = { produces_statistics: false, pseudonymized: { produces: true, purposes: 'サービス改善のための分析' } }; } }],
    fails: [{ name: 'pseudonymized data without purposes', change: (p) => { p.statistics = { produces_statistics: false, pseudonymized: { produces: true } }; }, at: 'pseudonymized' }],
  });
});
