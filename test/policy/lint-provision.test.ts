import { describe } from 'node:test';
import { ruleCases } from '../fixtures/policies/policy-fixture.ts';
import type { Policy } from '../../src/policy/schema.ts';

type OptOut = NonNullable<Policy['provision']['opt_out']>;
const optOut = (extra: Partial<OptOut> = {}): OptOut => ({
  purpose: 'provide_service',
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

const addHealth = (p: Policy) => {
  p.data.push({ id: 'health', category: 'health', subject_groups: ['users'], acquisition: [{ method: 'direct' }], published_by_user: false });
};
type ProviderBasis = Policy['data'][number]['acquisition'][number]['provider_basis'];
const addFromPartner = (how: string, providerBasis?: ProviderBasis) => (p: Policy) => {
  p.data.push({
    id: 'partner_list',
    category: 'name',
    subject_groups: ['users'],
    acquisition: [{ method: 'third_party', ...(providerBasis ? { provider_basis: providerBasis } : {}), confirmation: { provider_name: '株式会社名簿', provider_address: '大阪市', provider_representative: '代表取締役 鈴木一郎', how_provider_acquired: how } }],
    published_by_user: false,
  });
  p.purposes[0]?.data.push('partner_list');
};

describe('provision (20条・27条〜31条)', () => {
  ruleCases('appi-27-2-opt-out-sensitive', {
    passes: [{ name: 'opt-out of email addresses', change: (p) => { p.provision.opt_out = optOut(); } }],
    fails: [
      { name: 'opt-out of health data', change: (p) => { addHealth(p); p.provision.opt_out = optOut({ data: ['email', 'health'] }); }, at: '- health', says: '要配慮個人情報' },
      {
        name: 'opt-out of an item marked sensitive by override',
        change: (p) => {
          const email = p.data[0];
          if (email) email.sensitive = true;
          p.provision.opt_out = optOut();
        },
        at: '- email',
      },
    ],
  });

  ruleCases('appi-27-2-opt-out-source', {
    passes: [
      { name: 'opt-out of data the provider gave with the people\'s consent', change: (p) => { addFromPartner('本人から書面で直接取得', 'consent')(p); p.provision.opt_out = optOut({ data: ['partner_list'] }); } },
      // The basis is modelled: a text that merely mentions opt-out does not decide it (27条2項ただし書).
      { name: 'opt-out of consented data whose description mentions an opt-out elsewhere', change: (p) => { addFromPartner('本人の同意を得て取得（オプトアウトの申出窓口あり）', 'consent')(p); p.provision.opt_out = optOut({ data: ['partner_list'] }); } },
    ],
    fails: [
      { name: 'opt-out of data itself received by opt-out', change: (p) => { addFromPartner('名簿業者から購入', 'opt_out')(p); p.provision.opt_out = optOut({ data: ['partner_list'] }); }, at: 'provider_basis: opt_out', says: 'itself received by opt-out' },
      { name: 'opt-out of third-party data whose provider basis is not stated', change: (p) => { addFromPartner('本人から書面で直接取得')(p); p.provision.opt_out = optOut({ data: ['partner_list'] }); }, at: 'method: third_party', says: 'provider_basis' },
      {
        name: 'opt-out of third-party data without a confirmation',
        change: (p) => {
          p.data.push({ id: 'bought', category: 'name', subject_groups: ['users'], acquisition: [{ method: 'third_party' }], published_by_user: false });
          p.provision.opt_out = optOut({ data: ['bought'] });
        },
        at: 'method: third_party',
        says: '30条',
      },
    ],
  });

  ruleCases('appi-27-2-opt-out-filing', {
    passes: [{ name: 'a filing made before the start date', change: (p) => { p.provision.opt_out = optOut({ ppc_filing: { status: 'published', filed_on: '2025-04-01', published_on: '2025-04-20' } }); } }],
    fails: [
      { name: 'provision starting before the filing', change: (p) => { p.provision.opt_out = optOut({ start_date: '2025-03-01' }); }, at: 'start_date', says: 'before the PPC filing' },
      { name: 'a filed status with no date', change: (p) => { p.provision.opt_out = optOut({ ppc_filing: { status: 'filed' } }); }, at: 'status: filed', says: 'filed_on is missing' },
      { name: 'a published status with no publication date', change: (p) => { p.provision.opt_out = optOut({ ppc_filing: { status: 'published', filed_on: '2025-04-01' } }); }, says: 'published_on is missing' },
    ],
  });

  ruleCases('appi-27-2-opt-out-not-filed', {
    passes: [{ name: 'a filed opt-out', change: (p) => { p.provision.opt_out = optOut(); } }],
    fails: [{ name: 'a planned filing', change: (p) => { p.provision.opt_out = optOut({ ppc_filing: { status: 'planned' } }); }, at: 'status: planned' }],
  });

  ruleCases('appi-27-1-academic', {
    passes: [{ name: 'the four general exceptions', change: () => {} }],
    fails: [{ name: 'the academic exception claimed', change: (p) => { p.provision.statutory_exceptions.push('academic'); }, at: '- academic', says: '学術研究機関等' }],
  });

  ruleCases('appi-27-5-processor-entrusted-by', {
    passes: [{ name: 'a processor group naming who entrusts it', change: (p) => { p.subject_groups.push({ id: 'end_users', kind: 'member_end_users', name: '会員企業の顧客', role: 'processor', entrusted_by: '会員企業' }); } }],
    fails: [{ name: 'a processor group without entrusted_by', change: (p) => { p.subject_groups.push({ id: 'end_users', kind: 'member_end_users', name: '会員企業の顧客', role: 'processor' }); }, at: 'role: processor' }],
  });

  const foreign = (extra: Partial<Policy['provision']['foreign'][number]>) => (p: Policy) => {
    p.provision.foreign.push({ id: 'abroad', recipient: 'Example Inc.', country: 'US', data: ['email'], basis: 'consent', ...extra });
    p.security?.foreign_environment.push({ country: extra.country ?? 'US', what: '保存', regime: '制度の概要' });
  };

  ruleCases('appi-28-adequate-country', {
    passes: [
      { name: 'Germany as an adequate country', change: foreign({ country: 'DE', basis: 'adequate_country' }) },
      { name: 'the UK as an adequate country', change: foreign({ country: 'GB', basis: 'adequate_country' }) },
    ],
    fails: [{ name: 'the US as an adequate country', change: foreign({ country: 'US', basis: 'adequate_country' }), at: 'basis: adequate_country', says: 'EU/EEA' }],
  });

  ruleCases('appi-28-consent-information', {
    passes: [{ name: 'consent with regime and measures', change: foreign({ basis: 'consent', regime: '包括的な法律はない', measures: 'OECD8原則に沿った措置' }) }],
    fails: [
      { name: 'consent without regime information', change: foreign({ basis: 'consent', measures: '契約で担保' }), at: 'id: abroad', says: 'lacks regime' },
      { name: 'consent with neither', change: foreign({ basis: 'consent' }), says: 'regime and measures' },
    ],
  });

  ruleCases('appi-28-equivalent-system', {
    passes: [{ name: 'an equivalent system with measures', change: foreign({ basis: 'equivalent_system', measures: '契約で安全管理措置を義務付け、年1回確認' }) }],
    fails: [{ name: 'an equivalent system without measures', change: foreign({ basis: 'equivalent_system' }), at: 'basis: equivalent_system' }],
  });

  ruleCases('appi-28-foreign-outsourcing', {
    passes: [{ name: 'outsourcing abroad with a foreign entry', change: (p) => { p.provision.outsourcing.push({ id: 'mail', task: 'メール配信', data: ['email'], country: 'US' }); foreign({ basis: 'equivalent_system', measures: '契約' })(p); } }],
    fails: [{ name: 'outsourcing abroad without a foreign entry', change: (p) => { p.provision.outsourcing.push({ id: 'mail', task: 'メール配信', data: ['email'], country: 'US' }); }, at: 'country: US', says: '28条' }],
  });

  ruleCases('appi-31-person-related', {
    passes: [
      { name: 'consent-based provision of personal data only', change: (p) => { p.provision.consent_based.push({ id: 'partner', recipient: '提携先', data: ['email'], purpose: '提携サービスの案内' }); } },
      { name: 'an ad delivery tool used only with consent', change: (p) => { p.tools.push({ id: 'ads', catalog: 'ad_delivery', purpose: 'provide_service', self_hosted: false }); } },
    ],
    fails: [
      {
        name: 'consent-based provision of cookie identifiers',
        change: (p) => {
          p.data.push({ id: 'cookie', category: 'cookie_id', subject_groups: ['users'], acquisition: [{ method: 'automatic' }], published_by_user: false });
          p.purposes[0]?.data.push('cookie');
          p.provision.consent_based.push({ id: 'partner', recipient: '広告会社', data: ['cookie'], purpose: '広告配信' });
        },
        at: '- cookie',
        says: '31条',
      },
      {
        name: 'an ad delivery tool with an opt-out only',
        change: (p) => { p.tools.push({ id: 'ads', catalog: 'ad_delivery', purpose: 'provide_service', self_hosted: false, choice: 'opt_out' }); },
        at: 'choice: opt_out',
      },
    ],
  });

  ruleCases('appi-30-confirmation', {
    passes: [
      { name: 'third-party data with a confirmation', change: addFromPartner('本人から直接取得') },
      {
        name: 'data received from the entrusting member as a processor',
        change: (p) => {
          p.subject_groups.push({ id: 'end_users', kind: 'member_end_users', name: '会員企業の顧客', role: 'processor', entrusted_by: '会員企業' });
          p.data.push({ id: 'entrusted', category: 'entrusted_data', subject_groups: ['end_users'], acquisition: [{ method: 'third_party', source: '会員企業' }], published_by_user: false });
          p.purposes.push({ id: 'host', kind: 'service', description: '委託を受けた業務のため', subject_groups: ['end_users'], data: ['entrusted'], choice: 'none' });
        },
      },
    ],
    fails: [
      {
        name: 'third-party data without a confirmation',
        change: (p) => {
          p.data.push({ id: 'bought', category: 'name', subject_groups: ['users'], acquisition: [{ method: 'third_party' }], published_by_user: false });
          p.purposes[0]?.data.push('bought');
        },
        at: 'method: third_party',
      },
    ],
  });

  ruleCases('appi-20-sensitive-consent', {
    passes: [
      {
        name: 'health data used under a consent purpose',
        change: (p) => {
          addHealth(p);
          p.purposes.push({ id: 'care', kind: 'service', description: '健康相談のため', subject_groups: ['users'], data: ['health'], choice: 'consent' });
        },
      },
    ],
    fails: [
      { name: 'health data under a purpose without consent', change: (p) => { addHealth(p); p.purposes[0]?.data.push('health'); }, at: 'id: health', says: '20条2項' },
    ],
  });
});
