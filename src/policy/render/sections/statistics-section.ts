import type { Block } from '../policy-document.ts';
import { section, type RenderContext, type SectionDraft } from '../render-context.ts';

/** The section: Statistics / anonymized / pseudonymized. */
export function statisticsSection(ctx: RenderContext): SectionDraft | undefined {
  const { L, t, self, p, ul, policy } = ctx;
  if (!(policy.statistics && (policy.statistics.produces_statistics || policy.statistics.anonymized?.produces || policy.statistics.pseudonymized?.produces))) return undefined;
  const st = policy.statistics;
  const blocks: Block[] = [];
  if (st.produces_statistics) {
    blocks.push({ kind: 'heading', text: L('統計情報', 'Statistics') });
    blocks.push(p(L(`${self.ja}は、取得した情報をもとに、特定の個人を識別できない形式の統計情報を作成し、利用又は公表することがあります。`, 'We may compile statistics from the information we acquire, in a form that identifies no one, and use or publish them.')));
    if (st.statistics_note) blocks.push(p(t(st.statistics_note)));
  }
  if (st.anonymized?.produces) {
    const a = st.anonymized;
    blocks.push({ kind: 'heading', text: L('匿名加工情報', 'Anonymized information') });
    blocks.push(p(L(`${self.ja}は、個人情報保護委員会規則で定める基準に従って匿名加工情報を作成し、その加工方法等の情報を安全に管理します。匿名加工情報を作成したときは、それに含まれる個人に関する情報の項目を次のとおり公表します。`, 'We make anonymized information to the standard set by the Commission and keep the processing method secure. We publish the items of information about individuals it contains, as follows.')));
    if (a.items.length > 0) blocks.push(ul(a.items.map(t)));
    if (a.method) blocks.push(p(L(`加工の方法: ${t(a.method)}`, `Processing method: ${t(a.method)}`)));
    if (a.provides_to_third_parties) blocks.push(p(L('匿名加工情報を第三者に提供するときは、あらかじめ提供する情報の項目及び提供の方法を公表し、提供先に対して当該情報が匿名加工情報であることを明示します。', 'Before providing anonymized information to a third party, we publish the items and how we provide them, and tell the recipient that it is anonymized information.')));
    blocks.push(p(L('匿名加工情報を、他の情報と照合して本人を識別することはありません。', 'We never match anonymized information with other information to identify anyone.')));
  }
  if (st.pseudonymized?.produces) {
    blocks.push({ kind: 'heading', text: L('仮名加工情報', 'Pseudonymized information') });
    blocks.push(p(L(`${self.ja}は、仮名加工情報を作成し、公表した利用目的の範囲内で社内において利用することがあります。仮名加工情報は、法令に基づく場合を除き第三者に提供せず、本人を識別するために他の情報と照合することもありません。`, 'We may make pseudonymized information and use it internally within the published purposes. We do not provide it to third parties except as the law requires, and never match it with other information to identify anyone.')));
    if (st.pseudonymized.purposes) blocks.push(p(L(`利用目的: ${t(st.pseudonymized.purposes)}`, `Purposes: ${t(st.pseudonymized.purposes)}`)));
  }
  return section('statistics', L('統計情報・匿名加工情報・仮名加工情報', 'Statistics, anonymized and pseudonymized information'), blocks);
}
