import { articleEn } from '../render-toolkit.ts';
import { requestKinds } from '../../schema.ts';
import { requestKindRules } from '../../../law/appi/request-kinds.ts';
import { groundsFor, refusalGrounds } from '../../../law/appi/refusal-grounds.ts';
import { suspensionGrounds, suspensionGroundsFor } from '../../../law/appi/suspension-grounds.ts';
import type { Block } from '../policy-document.ts';
import { commonFieldKeys, procedureFields, type ProcedureFieldKey } from '../request-procedure.ts';
import { section, type RenderContext, type SectionDraft } from '../render-context.ts';

/** The section: Rights and how to exercise them. */
export function rightsSection(ctx: RenderContext): SectionDraft {
  const { lang, L, t, self, list, listOr, listAnd, p, ul, policy } = ctx;
  const offered = requestKinds.filter((k) => policy.requests.kinds[k]?.offered !== false && policy.requests.kinds[k] !== undefined);
  const blocks: Block[] = [
    p(L(`ご本人は、${self.ja}に対し、保有個人データについて次の請求をすることができます。第三者提供記録の開示も、開示の請求に含まれます。請求の手続は、種類ごとに以下のとおりです。`, `You can make the following requests to us about your retained personal data. A disclosure request can also cover the records of provision to and from third parties. The procedure for each kind is set out below.`)),
    ul(offered.map((k) => `${requestKindRules[k].name[lang]}${L(`（個人情報保護法${requestKindRules[k].article}）`, ` (APPI Art. ${articleEn(requestKindRules[k].article)})`)}`)),
  ];
  // Steps that are the same for every kind (where to apply, identity, agents …) are stated once, as a careful
  // policy would; each kind then lists its fee, delivery and what differs, and its statutory grounds for refusal.
  const perKind = offered.flatMap((kind) => {
    const proc = policy.requests.kinds[kind];
    return proc ? [{ kind, proc, fields: procedureFields(ctx, kind, proc) }] : [];
  });
  const sameEverywhere = (key: ProcedureFieldKey): boolean => {
    const first = perKind[0]?.fields.find((f) => f.key === key);
    return first !== undefined && perKind.length > 1 && perKind.every((k) => JSON.stringify(k.fields.find((f) => f.key === key)?.content) === JSON.stringify(first.content));
  };
  const common = new Set(commonFieldKeys.filter(sameEverywhere));
  if (common.size > 0) {
    blocks.push({ kind: 'heading', text: L('各請求に共通の手続', 'Procedure common to all requests') });
    blocks.push({ kind: 'fields', items: perKind[0]!.fields.filter((f) => common.has(f.key)).map(({ term, content }) => ({ term, content })) });
  }
  for (const { kind, proc, fields } of perKind) {
    blocks.push({ kind: 'heading', text: requestKindRules[kind].name[lang] });
    // 35条1項・3項・5項: the law's own conditions for these requests, stated as the law (no operator declaration needed).
    const conditions = suspensionGroundsFor(kind);
    if (conditions.length > 0) {
      blocks.push(p(L('次のいずれかに該当するときに、ご請求いただけます。', 'You can make this request in any of the following cases.')));
      blocks.push({ kind: 'list', items: conditions.map((g) => [`${suspensionGrounds[g].label[lang]}${L(`（個人情報保護法${suspensionGrounds[g].article}）`, ` (APPI Art. ${articleEn(suspensionGrounds[g].article)})`)}`]) });
    }
    blocks.push({ kind: 'fields', items: fields.filter((f) => !common.has(f.key)).map(({ term, content }) => ({ term, content })) });
    const grounds = groundsFor(kind).map((g) => refusalGrounds[g].label[lang].replace('当該個人情報取扱事業者', self.ja));
    grounds.push(...proc.operator_grounds.map(t));
    blocks.push(p(L('次の場合は、ご請求の全部又は一部に応じられないことがあります。', 'We may decline all or part of this request in the following cases:')));
    blocks.push({ kind: 'list', ordered: true, items: grounds.map((g) => [g]) });
  }
  const entrusted = policy.subject_groups.filter((g) => g.role === 'processor');
  if (entrusted.length > 0) {
    const by = entrusted.map((g) => (g.entrusted_by ? t(g.entrusted_by) : L('委託元', 'the entrusting organization')));
    blocks.push(p(L(`なお、${list([...new Set(by)])}から委託を受けて取り扱う個人データ（${list(entrusted.map((g) => t(g.name)))}に関する情報）は、${self.ja}が開示等を行う権限を有するものではないため、これらについてのご請求は委託元にお申し出ください。${self.ja}は、委託元の指示に従い、その対応に協力します。`, `Personal data we handle on behalf of ${listOr([...new Set(by)])} (about ${listAnd(entrusted.map((g) => t(g.name)))}) is not ours to disclose or correct; please make such requests to the organization that entrusted it to us. We help that organization respond, following its instructions.`)));
  }
  blocks.push(p(L('ご請求に応じない場合、一部のみ応じる場合又はご請求と異なる措置をとる場合は、その旨とその理由を遅滞なくご本人に通知します。請求の手続に当たり取得した個人情報は、請求への対応に必要な範囲でのみ利用します。', 'If we do not act on a request, act on part of it or take a different measure, we tell you so and why without delay. We use the personal information we receive with a request only as needed to handle it.')));
  return section('rights', L('保有個人データの開示等の請求', 'Your rights over retained personal data'), blocks);
}
