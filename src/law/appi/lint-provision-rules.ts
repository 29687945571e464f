import { toolCatalog } from '../../policy/tool-catalog.ts';
import { adequateCountries, dataIndex, isSensitive, natureOf, provisionDataLists, type LintFinding, type LintRule, type ProvisionSection } from './lint-rule.ts';

/** 20条・27条〜31条: acquiring, providing and receiving personal data. */

export const provisionRules: LintRule[] = [
  {
    id: 'appi-27-2-opt-out-sensitive',
    article: '27条2項ただし書',
    severity: 'error',
    summary: { ja: '要配慮個人情報はオプトアウトで提供できない', en: 'No opt-out provision of sensitive data' },
    check: (p) => {
      const opt = p.provision.opt_out;
      if (!opt) return [];
      const byId = dataIndex(p);
      return opt.data.flatMap((id, i): LintFinding[] => {
        const item = byId.get(id);
        return item && isSensitive(item)
          ? [{ path: ['provision', 'opt_out', 'data', i], message: `"${id}" is 要配慮個人情報 (sensitive data), which 27条2項 forbids providing by opt-out; remove it from provision.opt_out.data and provide it only with prior consent` }]
          : [];
      });
    },
  },
  {
    id: 'appi-27-2-opt-out-source',
    article: '27条2項ただし書',
    severity: 'error',
    summary: { ja: 'オプトアウトで取得した個人データを更にオプトアウトで提供しない', en: 'No opt-out provision of data itself received by opt-out' },
    check: (p) => {
      const opt = p.provision.opt_out;
      if (!opt) return [];
      const byId = dataIndex(p);
      const dataPos = new Map(p.data.map((d, i) => [d.id, i]));
      return opt.data.flatMap((id): LintFinding[] => {
        const item = byId.get(id);
        const at = dataPos.get(id);
        if (!item || at === undefined) return [];
        return item.acquisition.flatMap((acq, j): LintFinding[] => {
          if (acq.method !== 'third_party') return [];
          const path = ['data', at, 'acquisition', j];
          if (!acq.confirmation) {
            return [{ path: [...path, 'method'], message: `"${id}" is provided by opt-out and acquired from a third party without a recorded 30条 confirmation; 27条2項 forbids opt-out provision of data itself received by opt-out, so add acquisition.confirmation showing how the provider acquired it` }];
          }
          // How the provider gave the data is modelled, not guessed from the wording of a text.
          switch (acq.provider_basis) {
            case undefined:
              return [{ path: [...path, 'method'], message: `"${id}" is provided by opt-out and acquired from a third party, but provider_basis does not say how the provider gave it: 27条2項 forbids opt-out provision of data itself received by opt-out, so add provider_basis (consent, opt_out, statutory_exception, entrustment or other)` }];
            case 'opt_out':
              return [{ path: [...path, 'provider_basis'], message: `"${id}" was itself received by opt-out, and 27条2項 forbids providing it again by opt-out; remove it from provision.opt_out.data or provide it only with consent` }];
            case 'consent':
            case 'statutory_exception':
            case 'entrustment':
            case 'other':
              return [];
            default: {
              const never: never = acq.provider_basis;
              return never;
            }
          }
        });
      });
    },
  },
  {
    id: 'appi-27-2-opt-out-purpose',
    article: '27条2項2号',
    severity: 'error',
    summary: { ja: 'オプトアウトによる提供は第三者提供を含む利用目的を示す', en: 'Opt-out provision names the purpose that includes it' },
    check: (p) => {
      const opt = p.provision.opt_out;
      if (!opt) return [];
      const path = ['provision', 'opt_out'];
      if (!opt.purpose) return [{ path: [...path, 'data'], message: 'provision.opt_out names no purpose: 27条2項2号 requires that provision to third parties be one of the purposes of use; declare a purpose that says so and set provision.opt_out.purpose to its id' }];
      const purpose = p.purposes.find((u) => u.id === opt.purpose);
      if (!purpose) return [{ path: [...path, 'purpose'], message: `provision.opt_out.purpose "${opt.purpose}" is not a declared purpose: use the id of the purpose that includes provision to third parties` }];
      const missing = opt.data.filter((id) => !purpose.data.includes(id));
      return missing.length > 0
        ? [{ path: [...path, 'purpose'], message: `purpose "${purpose.id}" does not cover ${missing.map((m) => `"${m}"`).join(', ')}, which provision.opt_out provides: add them to that purpose's data so the published purpose includes their provision` }]
        : [];
    },
  },
  {
    id: 'appi-27-2-opt-out-filing',
    article: '27条2項・3項',
    severity: 'error',
    summary: { ja: 'オプトアウトによる提供は事前に委員会へ届け出る', en: 'File opt-out provision with the PPC beforehand' },
    check: (p) => {
      const opt = p.provision.opt_out;
      if (!opt) return [];
      const f = opt.ppc_filing;
      const path = ['provision', 'opt_out', 'ppc_filing'];
      const out: LintFinding[] = [];
      if (f.status !== 'planned' && !f.filed_on) out.push({ path: [...path, 'status'], message: `ppc_filing.status is ${f.status} but filed_on is missing: add the date the filing was made (YYYY-MM-DD)` });
      if (f.status === 'published' && !f.published_on) out.push({ path: [...path, 'status'], message: 'ppc_filing.status is published but published_on is missing: add the date the PPC published the filing, and publish it yourself promptly (27条4項)' });
      if (f.filed_on && opt.start_date < f.filed_on) out.push({ path: ['provision', 'opt_out', 'start_date'], message: `opt-out provision starts ${opt.start_date}, before the PPC filing on ${f.filed_on}: 27条2項 requires filing beforehand; move start_date to after filed_on` });
      if (f.filed_on && f.published_on && f.published_on < f.filed_on) out.push({ path: [...path, 'published_on'], message: `published_on ${f.published_on} is before filed_on ${f.filed_on}: the PPC publishes a filing after it is made; check both dates` });
      return out;
    },
  },
  {
    id: 'appi-27-2-opt-out-not-filed',
    article: '27条2項',
    severity: 'warning',
    summary: { ja: '届出前にオプトアウトによる提供を始めない', en: 'Do not start opt-out provision before filing' },
    check: (p) =>
      p.provision.opt_out?.ppc_filing.status === 'planned'
        ? [{ path: ['provision', 'opt_out', 'ppc_filing', 'status'], message: 'the opt-out provision is not yet filed with the PPC: provision may not start until the 27条2項 items are filed and made knowable; set status: filed with filed_on once done' }]
        : [],
  },
  {
    id: 'appi-27-1-academic',
    article: '27条1項5号〜7号',
    severity: 'warning',
    summary: { ja: '学術研究の例外は学術研究機関等に関わる場合に限られる', en: 'The academic exception needs an academic institution' },
    check: (p) => {
      const i = p.provision.statutory_exceptions.indexOf('academic');
      return i < 0 ? [] : [{ path: ['provision', 'statutory_exceptions', i], message: 'the academic exception (27条1項5号〜7号) applies only when the operator is, or provides data to, an academic research institution (学術研究機関等) for academic research; remove it unless that is so' }];
    },
  },
  {
    id: 'appi-27-5-processor-entrusted-by',
    article: '27条5項1号',
    severity: 'error',
    summary: { ja: '委託を受けて取り扱う個人データは委託元を示す', en: 'Say who entrusts the data you process' },
    check: (p) =>
      p.subject_groups.flatMap((g, i): LintFinding[] =>
        g.role === 'processor' && !g.entrusted_by
          ? [{ path: ['subject_groups', i, 'role'], message: `subject group "${g.id}" has role: processor but no entrusted_by: say whose data it is (e.g. 会員企業) so people know to make requests to that controller` }]
          : [],
      ),
  },
  {
    id: 'appi-27-5-joint-use-entrusted',
    article: '27条5項1号',
    severity: 'error',
    summary: { ja: '委託を受けた個人データを共同利用しない', en: 'No joint use of data entrusted to you' },
    check: (p) => {
      const processorOnly = new Set(p.data.filter((d) => d.subject_groups.length > 0 && d.subject_groups.every((g) => p.subject_groups.find((x) => x.id === g)?.role === 'processor')).map((d) => d.id));
      return p.provision.joint_use.flatMap((j, i) =>
        j.data.flatMap((id, k): LintFinding[] =>
          processorOnly.has(id)
            ? [{ path: ['provision', 'joint_use', i, 'data', k], message: `joint use "${j.id}" includes "${id}", which is handled only on behalf of another operator (role: processor): entrusted data may be handled only within the entrusted work (27条5項1号), so it cannot be used jointly; remove it, or let the entrusting operator provide it on its own basis` }]
            : [],
        ),
      );
    },
  },
  {
    id: 'appi-27-5-joint-use-representative',
    article: '27条5項3号',
    severity: 'error',
    summary: { ja: '共同利用の責任者が法人であれば代表者を示す', en: 'Name the representative of a corporate responsible party' },
    check: (p) =>
      p.provision.joint_use.flatMap((j, i): LintFinding[] =>
        j.responsible.kind !== 'individual' && !j.responsible.representative
          ? [{ path: ['provision', 'joint_use', i, 'responsible'], message: `joint use "${j.id}": the responsible party is a ${j.responsible.kind}, and 27条5項3号 requires its representative's name; add responsible.representative (or set responsible.kind: individual if an individual is responsible)` }]
          : [],
      ),
  },
  {
    id: 'appi-28-country',
    article: '28条2項・規則17条2項・3項',
    severity: 'error',
    summary: { ja: '外国にある第三者の所在国を示すか、特定できない旨と理由を示す', en: 'Name the recipient\'s country, or say why it cannot be identified' },
    check: (p) =>
      p.provision.foreign.flatMap((f, i): LintFinding[] => {
        const path = ['provision', 'foreign', i];
        if (f.country && f.country_unidentified) return [{ path: [...path, 'country_unidentified'], message: `foreign recipient "${f.id}" names country ${f.country} and also says the country cannot be identified: keep one of country and country_unidentified` }];
        if (!f.country && !f.country_unidentified) return [{ path: [...path, 'id'], message: `foreign recipient "${f.id}" names no country: add country (ISO 3166-1, e.g. US), or, where it cannot be identified when consent is asked, country_unidentified with the reason (規則17条3項)` }];
        if (f.country_unidentified && f.basis !== 'consent') return [{ path: [...path, 'basis'], message: `foreign recipient "${f.id}" has no identified country but basis ${f.basis}: an adequate country or an equivalent system must be known to be relied on; use basis consent with country_unidentified (規則17条3項)` }];
        return [];
      }),
  },
  {
    id: 'appi-28-adequate-country',
    article: '28条1項・規則15条',
    severity: 'error',
    summary: { ja: '認定国は EU・EEA と英国に限られる', en: 'Adequate countries are the EU/EEA and the UK only' },
    check: (p) =>
      p.provision.foreign.flatMap((f, i): LintFinding[] =>
        f.basis === 'adequate_country' && f.country !== undefined && !adequateCountries.has(f.country)
          ? [{ path: ['provision', 'foreign', i, 'basis'], message: `foreign recipient "${f.id}" in ${f.country} has basis adequate_country, but the PPC has designated only the EU/EEA member states and the UK; use basis consent (with regime and measures) or equivalent_system (with measures)` }]
          : [],
      ),
  },
  {
    id: 'appi-28-consent-information',
    article: '28条2項・規則17条',
    severity: 'error',
    summary: { ja: '外国にある第三者への提供の同意の前に提供する情報を示す', en: 'Give the country, its regime and the recipient\'s measures before consent' },
    check: (p) =>
      p.provision.foreign.flatMap((f, i): LintFinding[] => {
        if (f.basis !== 'consent') return [];
        // 規則17条3項: where the country cannot be identified, its regime cannot be described; the reason stands in for it.
        const missing = [!f.regime && !f.country_unidentified && 'regime', !f.measures && 'measures'].filter((x): x is string => typeof x === 'string');
        return missing.length > 0
          ? [{ path: ['provision', 'foreign', i], message: `foreign recipient "${f.id}" relies on consent but lacks ${missing.join(' and ')}: 規則17条 requires telling the person, before consent, about ${f.country ?? 'the country'}'s personal-information regime and the recipient's measures (or why they are unknown)` }]
          : [];
      }),
  },
  {
    id: 'appi-28-equivalent-system',
    article: '28条1項・3項・規則16条',
    severity: 'error',
    summary: { ja: '基準適合体制による提供は相当措置を示す', en: 'Describe the equivalent measures relied on' },
    check: (p) =>
      p.provision.foreign.flatMap((f, i): LintFinding[] =>
        f.basis === 'equivalent_system' && !f.measures
          ? [{ path: ['provision', 'foreign', i, 'basis'], message: `foreign recipient "${f.id}" relies on an equivalent system (基準適合体制) but states no measures: add measures (e.g. the contract clauses, how they are checked periodically) so they can be given on request (28条3項)` }]
          : [],
      ),
  },
  {
    id: 'appi-28-foreign-outsourcing',
    article: '28条1項',
    severity: 'warning',
    summary: { ja: '外国の委託先への提供にも28条が適用される', en: 'Outsourcing abroad is foreign provision' },
    check: (p) => {
      const covered = new Set(p.provision.foreign.flatMap((f) => (f.country ? [f.country] : [])));
      return p.provision.outsourcing.flatMap((o, i): LintFinding[] =>
        o.country && o.country !== 'JP' && !covered.has(o.country)
          ? [{ path: ['provision', 'outsourcing', i, 'country'], message: `outsourcing "${o.id}" is to a contractor in ${o.country}: 27条5項 does not exempt foreign provision from 28条, so add a provision.foreign entry for it (usually basis equivalent_system with measures), unless the contractor does not handle the data itself` }]
          : [],
      );
    },
  },
  {
    id: 'appi-31-person-related',
    article: '31条',
    severity: 'warning',
    summary: { ja: '個人関連情報の第三者提供では本人の同意を確認する', en: 'Confirm consent when providing person-related information' },
    check: (p) => {
      const byId = dataIndex(p);
      const out: LintFinding[] = [];
      // Outsourcing and joint use are not provision to a third party (27条5項), so only these sections count.
      const toThirdParties: Record<ProvisionSection, boolean> = { consent_based: true, opt_out: true, foreign: true, outsourcing: false, joint_use: false };
      for (const list of provisionDataLists(p)) {
        if (!toThirdParties[list.section]) continue;
        // Sent together with personal data that identifies the person (a name, an email), the whole is personal data
        // provided under 27条/28条, not 個人関連情報 under 31条.
        const withIdentifiers = list.data.some((id) => { const d = byId.get(id); return d !== undefined && natureOf(d) === 'personal_data'; });
        if (withIdentifiers) continue;
        list.data.forEach((id, i) => {
          const item = byId.get(id);
          if (item && natureOf(item) === 'person_related') {
            out.push({ path: [...list.path, i], message: `"${id}" is 個人関連情報 (person-related information) provided through ${list.label}: if the recipient may tie it to a person, 31条 requires confirming beforehand that the recipient has the person's consent, and recording that confirmation` });
          }
        });
      }
      p.tools.forEach((t, i) => {
        if (t.catalog === 'custom' || t.self_hosted) return;
        const entry = toolCatalog[t.catalog];
        // With choice: consent the operator obtains the person's consent for the ad companies, which is what 31条 asks.
        if (entry.family === 'advertising' && (t.choice ?? entry.defaultChoice) !== 'consent') {
          out.push({ path: ['tools', i, t.choice ? 'choice' : 'catalog'], message: `tool "${t.id}" gives ad companies cookie identifiers (個人関連情報) without asking consent first; where they can tie them to a person, 31条 requires confirming the person's consent beforehand: set choice: consent (the consent banner then asks on their behalf) and keep the confirmation records` });
        }
      });
      return out;
    },
  },
  {
    id: 'appi-30-confirmation',
    article: '30条1項',
    severity: 'warning',
    summary: { ja: '第三者から取得するときは提供元と取得の経緯を確認する', en: 'Confirm the provider and how it acquired data received from a third party' },
    check: (p) => {
      // Data received under an entrustment (委託, 27条5項1号) is not a third-party provision, so 30条 does not apply.
      const processorGroups = new Set(p.subject_groups.filter((g) => g.role === 'processor').map((g) => g.id));
      return p.data.flatMap((d, i) =>
        d.subject_groups.every((g) => processorGroups.has(g)) ? [] : d.acquisition.flatMap((acq, j): LintFinding[] =>
          acq.method === 'third_party' && !acq.confirmation
            ? [{ path: ['data', i, 'acquisition', j, 'method'], message: `"${d.id}" is acquired from a third party without a confirmation: 30条 requires confirming the provider's name, address, representative and how it acquired the data; add acquisition.confirmation` }]
            : [],
        ),
      );
    },
  },
  {
    id: 'appi-20-sensitive-consent',
    article: '20条2項',
    severity: 'warning',
    summary: { ja: '要配慮個人情報の取得には本人の同意を得る', en: 'Obtain consent before acquiring sensitive data' },
    check: (p) =>
      p.data.flatMap((d, i): LintFinding[] => {
        if (!isSensitive(d)) return [];
        const purposes = p.purposes.filter((u) => u.data.includes(d.id));
        if (purposes.some((u) => u.choice === 'consent')) return [];
        return [{ path: ['data', i, 'id'], message: `"${d.id}" is 要配慮個人情報 (sensitive data), and 20条2項 requires the person's prior consent to acquire it: set choice: consent on a purpose that uses it; where a 20条2項 exception applies instead (e.g. 法令に基づく場合 for employees' health checks), say so in details and accept this warning` }];
      }),
  },
];
