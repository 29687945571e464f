import { requestKinds, type Policy, type RequestKind, type RequestProcedure, type SubjectGroupKind } from '../../policy/schema.ts';
import { feeAllowed, requestKindRules } from './request-kinds.ts';
import { groundsFor, refusalGrounds } from './refusal-grounds.ts';
import { feeNeedsJustification, feeReasonableness, feeTaxIncluded, formatYen } from './fees.ts';
import type { LintFinding, LintRule } from './lint-rule.ts';

/** 33条・37条・38条: how requests are received, verified, charged and answered. */

/** Longest answer time lint accepts without a warning: the law says 遅滞なく (without delay). */
export const MAX_TARGET_DAYS_WITHOUT_WARNING = 30;

/** Subject groups whose members usually have no account to sign an app assertion with. */
const accountlessGroups: Record<SubjectGroupKind, boolean> = {
  users: false,
  members: false,
  customers: false,
  site_visitors: true,
  inquirers: true,
  job_applicants: true,
  employees: true,
  business_partners: true,
  member_end_users: true,
};

function eachProcedure(p: Policy, check: (kind: RequestKind, proc: RequestProcedure, path: Array<string | number>) => LintFinding[]): LintFinding[] {
  return requestKinds.flatMap((kind) => {
    const proc = p.requests.kinds[kind];
    return proc ? check(kind, proc, ['requests', 'kinds', kind]) : [];
  });
}

export const requestRules: LintRule[] = [
  {
    id: 'appi-38-fee-kind',
    article: '38条1項',
    severity: 'error',
    summary: { ja: '手数料は利用目的の通知と開示にのみ定められる', en: 'Fees only for purpose notices and disclosure' },
    check: (p) =>
      eachProcedure(p, (kind, proc, path) =>
        proc.fee && !feeAllowed(kind)
          ? [{ path: [...path, 'fee'], message: `a fee is set for ${requestKindRules[kind].name.ja} (${kind}), but 38条1項 allows fees only for 利用目的の通知 (purpose_notice) and 開示 (disclosure); remove requests.kinds.${kind}.fee` }]
          : [],
      ),
  },
  {
    id: 'appi-38-fee-reasonable',
    article: '38条2項',
    severity: 'warning',
    summary: { ja: '手数料は実費を勘案して合理的な額にする', en: 'Keep fees reasonable in view of actual cost' },
    check: (p) =>
      eachProcedure(p, (kind, proc, path) =>
        proc.fee && feeAllowed(kind) && feeNeedsJustification(proc.fee.amount, proc.fee.tax)
          ? [{ path: [...path, 'fee', 'amount'], message: `the ${kind} fee is ${formatYen(feeTaxIncluded(proc.fee.amount, proc.fee.tax), 'en')} tax included, above the ${formatYen(feeReasonableness.warnAboveYenTaxIncluded, 'en')} at which mamori asks for grounds: 38条2項 allows only an amount reasonable in view of the actual cost; lower it, or keep the cost calculation and accept this warning with its reason` }]
          : [],
      ),
  },
  {
    id: 'appi-37-payment-instructions',
    article: '37条1項・38条',
    severity: 'warning',
    summary: { ja: '手数料の支払先を具体的に示す', en: 'Say where to pay the fee' },
    check: (p) =>
      eachProcedure(p, (kind, proc, path) => {
        const fee = proc.fee;
        // Where no fee is allowed at all, the fee itself is the finding (appi-38-fee-kind), not where to pay it.
        if (!fee || !feeAllowed(kind)) return [];
        const out: LintFinding[] = [];
        if (fee.payment.includes('bank_transfer') && !fee.bank_account) out.push({ path: [...path, 'fee', 'payment'], message: `${kind} is paid by bank transfer but no account is given: add requests.kinds.${kind}.fee.bank_account (bank, branch, type, number, holder_kana) so people can pay without asking` });
        if ((fee.payment.includes('card') || fee.payment.includes('convenience_store')) && !fee.payment_url) out.push({ path: [...path, 'fee', 'payment'], message: `${kind} is paid by card or at a convenience store but no payment page is given: add requests.kinds.${kind}.fee.payment_url` });
        return out;
      }),
  },
  {
    id: 'appi-37-target-days',
    article: '32条〜35条（遅滞なく）',
    severity: 'warning',
    summary: { ja: '回答までの目安は遅滞なくと言える日数にする', en: 'Answer without delay' },
    check: (p) => {
      const out: LintFinding[] = [];
      if (p.requests.default_target_days > MAX_TARGET_DAYS_WITHOUT_WARNING) {
        out.push({ path: ['requests', 'default_target_days'], message: `requests.default_target_days is ${p.requests.default_target_days}: the law requires answers 遅滞なく (without delay); more than ${MAX_TARGET_DAYS_WITHOUT_WARNING} days is hard to justify` });
      }
      out.push(
        ...eachProcedure(p, (kind, proc, path) =>
          proc.target_days !== undefined && proc.target_days > MAX_TARGET_DAYS_WITHOUT_WARNING
            ? [{ path: [...path, 'target_days'], message: `requests.kinds.${kind}.target_days is ${proc.target_days}: the law requires answers 遅滞なく (without delay); more than ${MAX_TARGET_DAYS_WITHOUT_WARNING} days is hard to justify` }]
            : [],
        ),
      );
      return out;
    },
  },
  {
    id: 'appi-37-operator-grounds',
    article: '33条2項・36条',
    severity: 'warning',
    summary: { ja: '独自の拒否事由は法定の事由に当てはまる必要がある', en: 'Refusals must rest on a statutory ground' },
    check: (p) =>
      eachProcedure(p, (kind, proc, path) =>
        proc.operator_grounds.map((_, i) => ({
          path: [...path, 'operator_grounds', i],
          message: `operator ground ${i + 1} for ${kind}: a request may be refused only on a statutory ground (for ${kind}: ${[...new Set(groundsFor(kind).map((g) => refusalGrounds[g].article))].join(', ')}); make sure this case is an instance of one, since staff must cite a statutory ground when refusing`,
        })),
      ),
  },
  {
    id: 'appi-37-identity-app-assertion',
    article: '37条1項',
    severity: 'warning',
    summary: { ja: 'アカウントを持たない本人にも本人確認の方法を用意する', en: 'Verify people who have no account too' },
    check: (p) => {
      const groups = p.subject_groups.filter((g) => accountlessGroups[g.kind]).map((g) => g.id);
      if (groups.length === 0) return [];
      return eachProcedure(p, (kind, proc, path) =>
        proc.identity.length === 1 && proc.identity[0] === 'app_assertion'
          ? [{ path: [...path, 'identity'], message: `requests.kinds.${kind}.identity is only app_assertion, which needs an account, but ${groups.join(', ')} may have none; add email_code or id_document so they can make the request too` }]
          : [],
      );
    },
  },
  {
    id: 'appi-37-identity-documents',
    article: '37条1項・施行令12条',
    severity: 'warning',
    summary: { ja: '本人確認書類の種類を示す', en: 'Say which identity documents are accepted' },
    check: (p) =>
      eachProcedure(p, (kind, proc, path) =>
        proc.identity.includes('id_document') && proc.identity_documents.length === 0
          ? [{ path: [...path, 'identity'], message: `requests.kinds.${kind} verifies identity by id_document but names no document; add identity_documents (e.g. 運転免許証, 旅券) so people know what to send` }]
          : [],
      ),
  },
  {
    id: 'appi-37-agents',
    article: '37条3項・施行令13条',
    severity: 'error',
    summary: { ja: '代理人による請求を受け付ける', en: 'Accept requests made through an agent' },
    check: (p) =>
      eachProcedure(p, (kind, proc, path): LintFinding[] => {
        if (!proc.agents.allowed) return [{ path: [...path, 'agents', 'allowed'], message: `requests.kinds.${kind}.agents.allowed is false, but 37条3項 and 施行令13条 let a legal representative or a mandated agent make the request; set allowed: true and list the proofs required` }];
        if (proc.agents.kinds.length === 0) return [{ path: [...path, 'agents'], message: `requests.kinds.${kind}.agents accepts agents but names no kind: add kinds: [legal_representative, mandated]` }];
        if (proc.agents.proofs.length === 0) return [{ path: [...path, 'agents'], message: `requests.kinds.${kind}.agents names no proof of agency: add proofs (e.g. power_of_attorney for a mandated agent, family_register for a parent)` }];
        return [];
      }),
  },
  {
    id: 'appi-33-electronic-delivery',
    article: '33条1項',
    severity: 'warning',
    summary: { ja: '開示の方法として電磁的記録の提供を用意する', en: 'Offer electronic disclosure' },
    check: (p) => {
      const proc = p.requests.kinds.disclosure;
      if (!proc?.delivery || proc.delivery.includes('electronic')) return [];
      return [{ path: ['requests', 'kinds', 'disclosure', 'delivery'], message: 'requests.kinds.disclosure.delivery does not include electronic: since 2022 the person may choose disclosure as an electronic record (33条1項); add electronic, or explain in the note when it is too costly and paper is used instead' }];
    },
  },
  {
    id: 'appi-16-six-month-data',
    article: '16条4項（2022年改正）',
    severity: 'warning',
    summary: { ja: '6か月以内に消去する個人データも請求の対象になる', en: 'Data kept six months or less is covered by requests too' },
    check: (p) => findTexts(p.requests, ['requests']).filter(({ text }) => SIX_MONTHS.test(text) && EXCLUDED.test(text)).map(({ path }) => ({
      path,
      message: 'this text seems to exclude data kept six months or less from requests; since 2022-04-01 such data is 保有個人データ too (16条4項), so requests cover it; remove the exclusion',
    })),
  },
];

const SIX_MONTHS = /(6|６|六)\s*(ヶ|か|カ|箇|ケ|ヵ)?\s*月|six months|6 months/i;
const EXCLUDED = /対象(外|とな?りません|としません)|除(き|いて|く)|not (covered|included)|exclud/i;

/** Every string inside a value, with its path. */
function findTexts(value: unknown, path: Array<string | number>): Array<{ path: Array<string | number>; text: string }> {
  if (typeof value === 'string') return [{ path, text: value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => findTexts(v, [...path, i]));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => findTexts(v, [...path, k]));
  return [];
}
