import { requestKinds } from '../../policy/schema.ts';
import { requestKindRules } from './request-kinds.ts';
import { toolCountry, toolName, type LintFinding, type LintRule } from './lint-rule.ts';

/**
 * 32条 (and 施行令10条): what must stay knowable to the person (本人の知り得る状態). The published policy is where
 * mamori makes it knowable, so each item must be in the file.
 */

const securityCategories = ['organizational', 'human', 'physical', 'technical'] as const;
const securityCategoryNames: Record<(typeof securityCategories)[number], string> = {
  organizational: '組織的安全管理措置 (organizational)',
  human: '人的安全管理措置 (human)',
  physical: '物理的安全管理措置 (physical)',
  technical: '技術的安全管理措置 (technical)',
};

export const announcementRules: LintRule[] = [
  {
    id: 'appi-32-operator-address',
    article: '32条1項1号',
    severity: 'error',
    summary: { ja: '個人情報取扱事業者の住所を公表する', en: 'Publish the operator\'s address' },
    check: (p) =>
      p.operator.address
        ? []
        : [{ path: ['operator', 'address'], message: 'operator.address is missing: 32条1項1号 requires the operator\'s address to be knowable to the person; add operator.address (an individual operator may write how the address is given without delay on request)' }],
  },
  {
    id: 'appi-32-operator-representative',
    article: '32条1項1号',
    severity: 'error',
    summary: { ja: '法人等の代表者の氏名を公表する', en: 'Publish the representative of a corporation or association' },
    check: (p) =>
      p.operator.kind !== 'individual' && !p.operator.representative
        ? [{ path: ['operator', 'representative'], message: `operator.representative is missing: for an operator of kind "${p.operator.kind}", 32条1項1号 requires the representative's name (代表者の氏名); add operator.representative` }]
        : [],
  },
  {
    id: 'appi-32-group-member-identity',
    article: '32条1項1号',
    severity: 'error',
    summary: { ja: 'グループ各社の名称・住所・代表者を公表する', en: 'Publish each group company\'s name, address and representative' },
    check: (p) =>
      p.operator.group_members.flatMap((m, i): LintFinding[] => {
        const missing = [!m.address && 'address', !m.representative && 'representative'].filter((x): x is string => typeof x === 'string');
        return missing.length > 0
          ? [{ path: ['operator', 'group_members', i, 'id'], message: `group member "${m.id}" lacks ${missing.join(' and ')}: each company handling personal information is itself bound by 32条1項1号 to make its name, address and representative knowable; add them` }]
          : [];
      }),
  },
  {
    id: 'appi-32-request-procedure',
    article: '32条1項3号・37条',
    severity: 'error',
    summary: { ja: '5種類の請求それぞれの手続を定める', en: 'State a procedure for each of the five kinds of request' },
    check: (p) =>
      requestKinds.flatMap((kind): LintFinding[] => {
        const proc = p.requests.kinds[kind];
        const rule = requestKindRules[kind];
        if (!proc) {
          return [{ path: ['requests', 'kinds'], message: `requests.kinds.${kind} is missing: ${rule.name.ja} (${rule.article}) is a right of the person, and 32条1項3号 requires its procedure to be published; add requests.kinds.${kind} with channels and identity` }];
        }
        if (!proc.offered) {
          return [{ path: ['requests', 'kinds', kind, 'offered'], message: `requests.kinds.${kind}.offered is false, but ${rule.name.ja} (${rule.article}) is a right under the law that cannot be switched off; remove "offered: false" and describe how the request is received` }];
        }
        return [];
      }),
  },
  {
    id: 'appi-32-complaint-contact',
    article: '32条1項4号・施行令10条2号',
    severity: 'error',
    summary: { ja: '苦情の申出先を公表する', en: 'Publish where complaints are received' },
    check: (p) =>
      p.operator.complaint_contacts && p.operator.complaint_contacts.length > 0
        ? []
        : [{ path: ['operator', 'complaint_contacts'], message: `operator.complaint_contacts is missing: 施行令10条2号 requires a contact for complaints about the handling of personal data; add operator.complaint_contacts with one of the contact ids (${p.operator.contacts.map((c) => c.id).join(', ')})` }],
  },
  {
    id: 'appi-32-security-measures',
    article: '32条1項4号・施行令10条1号',
    severity: 'error',
    summary: { ja: '安全管理措置を4つの区分で公表する', en: 'Publish security measures in the four categories' },
    check: (p) => {
      if (!p.security) {
        return [{ path: ['security'], message: 'security is missing: 施行令10条1号 requires the security measures taken to be knowable; add security with organizational, human, physical and technical measures (and foreign_environment where data is handled abroad)' }];
      }
      const sec = p.security;
      // 施行令10条1号 lets measures be answered on request instead (本人の求めに応じて遅滞なく回答する場合を含む):
      // with security.withheld saying so, empty categories are a warning (appi-32-security-withheld), not an error.
      if (sec.withheld) return [];
      return securityCategories
        .filter((c) => sec[c].length === 0)
        .map((c) => ({ path: ['security', c], message: `security.${c} is empty: list at least one ${securityCategoryNames[c]} measure (施行令10条1号, 通則編10), or say in security.withheld that the measures are answered on request` }));
    },
  },
  {
    id: 'appi-32-security-withheld',
    article: '32条1項4号・施行令10条1号',
    severity: 'warning',
    summary: { ja: '安全管理措置を求めに応じて回答する場合も一般的な措置は示す', en: 'Even when measures are answered on request, state what can be stated' },
    check: (p) => {
      const sec = p.security;
      if (!sec?.withheld) return [];
      const empty = securityCategories.filter((c) => sec[c].length === 0);
      return empty.length > 0
        ? [{ path: ['security', 'withheld'], message: `security.withheld says measures are answered on request, which 施行令10条1号 allows, but ${empty.map((c) => securityCategoryNames[c]).join(', ')} ${empty.length === 1 ? 'is' : 'are'} not stated at all: where a general description would not impair security, publishing it spares people a request` }]
        : [];
    },
  },
  {
    id: 'appi-32-security-basics',
    article: '23条・通則編10-1, 10-2',
    severity: 'warning',
    summary: { ja: '基本方針と取扱規程を定める', en: 'Have a basic policy and internal rules' },
    check: (p) => {
      if (!p.security) return [];
      const out: LintFinding[] = [];
      if (!p.security.basic_policy) out.push({ path: ['security'], message: 'security.basic_policy is missing: the guidelines (通則編10-1) expect a basic policy (基本方針) for handling personal data; add a sentence on it' });
      if (!p.security.internal_rules) out.push({ path: ['security'], message: 'security.internal_rules is missing: the guidelines (通則編10-2) expect internal rules (取扱規程) for each stage of handling; add a sentence on them' });
      return out;
    },
  },
  {
    id: 'appi-32-foreign-environment',
    article: '32条1項4号・施行令10条1号・通則編10-7',
    severity: 'error',
    summary: { ja: '外国で個人データを取り扱う場合は外的環境の把握を公表する', en: 'Publish the foreign environment where data is handled abroad' },
    check: (p) => {
      const listed = new Set((p.security?.foreign_environment ?? []).map((f) => f.country));
      const out: LintFinding[] = [];
      const need = (country: string, path: Array<string | number>, what: string) => {
        if (country === 'JP' || listed.has(country)) return;
        out.push({ path, message: `${what} handles data in ${country}, which security.foreign_environment does not list: add { country: ${country}, what: …, regime: … } describing what is handled there and that country's personal-information regime (外的環境の把握)` });
      };
      p.provision.foreign.forEach((f, i) => {
        if (f.country) need(f.country, ['provision', 'foreign', i, 'country'], `foreign recipient "${f.id}"`);
      });
      p.provision.outsourcing.forEach((o, i) => {
        if (o.country) need(o.country, ['provision', 'outsourcing', i, 'country'], `outsourcing "${o.id}"`);
      });
      p.tools.forEach((t, i) => {
        const country = toolCountry(t);
        if (country) need(country, ['tools', i, t.country ? 'country' : 'catalog'], `tool "${t.id}" (${toolName(t)})`);
      });
      return out;
    },
  },
  {
    id: 'appi-32-accredited-organization',
    article: '32条1項4号・施行令10条3号',
    severity: 'error',
    summary: { ja: '認定個人情報保護団体の名称と苦情の申出先を公表する', en: 'Publish the accredited organization and its complaint office' },
    check: (p) => {
      const org = p.operator.accredited_organization;
      if (!org) return [];
      const out: LintFinding[] = [];
      org.phones.forEach((phone, i) => {
        if ((phone.match(/[0-9０-９]/g) ?? []).length < 6) out.push({ path: ['operator', 'accredited_organization', 'phones', i], message: `"${phone}" does not look like a phone number: write the complaint office's number, e.g. 03-5860-7565` });
      });
      return out;
    },
  },
  {
    id: 'appi-21-tool-collects',
    article: '21条・32条1項2号',
    severity: 'error',
    summary: { ja: '外部ツールが何を取得するかを示す', en: 'Say what each external tool collects' },
    check: (p) =>
      p.tools.flatMap((t, i): LintFinding[] => {
        if (t.collects && t.collects.length === 0) return [{ path: ['tools', i, 'collects'], message: `tools[${i}] ("${t.id}").collects is an empty list: list what the tool collects, or remove the key to use the catalog's list` }];
        if (t.catalog === 'custom' && !t.collects) return [{ path: ['tools', i], message: `custom tool "${t.id}" does not say what it collects: add collects (e.g. ["Cookieによる識別子", "閲覧したページ"]) so the policy can tell people` }];
        return [];
      }),
  },
  {
    id: 'appi-21-tool-opt-out',
    article: '21条・27条',
    severity: 'error',
    summary: { ja: 'オプトアウトできるツールは停止の方法を示す', en: 'Say how to opt out of a tool that offers an opt-out' },
    check: (p) =>
      p.tools.flatMap((t, i): LintFinding[] =>
        t.catalog === 'custom' && t.choice === 'opt_out' && !t.opt_out && !t.links?.opt_out
          ? [{ path: ['tools', i], message: `custom tool "${t.id}" has choice: opt_out but says nowhere how to opt out: add opt_out (how a person turns it off) or links.opt_out` }]
          : [],
      ),
  },
  {
    id: 'appi-32-data-unused',
    article: '17条1項・32条1項2号',
    severity: 'warning',
    summary: { ja: '取得する情報にはいずれかの利用目的を示す', en: 'Every data item serves some purpose' },
    check: (p) => {
      const used = new Set(p.purposes.flatMap((u) => u.data));
      return p.data.flatMap((d, i) => (used.has(d.id) ? [] : [{ path: ['data', i, 'id'], message: `data item "${d.id}" is used by no purpose: add it to the data of the purposes it serves, or stop acquiring it (17条: every acquisition needs a purpose)` }]));
    },
  },
  {
    id: 'appi-21-group-without-purpose',
    article: '21条1項',
    severity: 'warning',
    summary: { ja: '各本人の区分について利用目的を示す', en: 'State purposes for every subject group' },
    check: (p) => {
      const covered = new Set(p.purposes.flatMap((u) => u.subject_groups));
      return p.subject_groups.flatMap((g, i) => (covered.has(g.id) ? [] : [{ path: ['subject_groups', i, 'id'], message: `subject group "${g.id}" appears in no purpose: 21条 requires the purposes to be published for everyone whose data is acquired; add "${g.id}" to the subject_groups of its purposes` }]));
    },
  },
  {
    id: 'appi-17-purpose-changes',
    article: '17条2項・21条3項',
    severity: 'warning',
    summary: { ja: '利用目的の変更の扱いを示す', en: 'Say how purposes change' },
    check: (p) => (p.purpose_changes ? [] : [{ path: ['purposes'], message: 'purpose_changes is missing: state that changes stay reasonably related to the old purposes (17条2項) and how changed purposes are notified or published (21条3項); add purpose_changes: { rule: related_only, methods: [publish] }' }]),
  },
  {
    id: 'appi-22-retention',
    article: '22条',
    severity: 'warning',
    summary: { ja: '不要になった個人データを消去する方針を示す', en: 'Say when data is erased' },
    check: (p) => (p.retention ? [] : [{ path: ['data'], message: 'retention is missing: 22条 asks for personal data to be erased without delay once no longer needed; add retention.general (and retention.items for specific periods)' }]),
  },
  {
    id: 'appi-43-anonymized-items',
    article: '43条3項・4項',
    severity: 'error',
    summary: { ja: '匿名加工情報の項目と提供の方法を公表する', en: 'Publish the items of anonymized data and how it is provided' },
    check: (p) => {
      const a = p.statistics?.anonymized;
      if (!a?.produces) return [];
      const out: LintFinding[] = [];
      if (a.items.length === 0) out.push({ path: ['statistics', 'anonymized'], message: 'statistics.anonymized.produces is true but items is empty: 43条3項 requires publishing the items of personal information the anonymized data contains; add items' });
      if (a.provides_to_third_parties && !a.method) out.push({ path: ['statistics', 'anonymized', 'provides_to_third_parties'], message: 'anonymized data is provided to third parties but no method is stated: 43条4項 requires publishing the items and the method of provision in advance; add statistics.anonymized.method' });
      return out;
    },
  },
  {
    id: 'appi-41-pseudonymized-purposes',
    article: '41条4項',
    severity: 'error',
    summary: { ja: '仮名加工情報の利用目的を公表する', en: 'Publish the purposes of pseudonymized data' },
    check: (p) =>
      p.statistics?.pseudonymized?.produces && !p.statistics.pseudonymized.purposes
        ? [{ path: ['statistics', 'pseudonymized'], message: 'statistics.pseudonymized.produces is true but no purposes are stated: 41条4項 requires the purposes of 仮名加工情報 to be published; add statistics.pseudonymized.purposes' }]
        : [],
  },
];

