import type { Rich } from '../policy-document.ts';
import { section, type RenderContext, type SectionDraft } from '../render-context.ts';

/** The section: Definitions. */
export function definitionsSection(ctx: RenderContext): SectionDraft {
  const { L, self, isSensitive, natureOf, p, policy } = ctx;
  const items: Array<{ term: string; content: Rich }> = [
    { term: L('個人情報', 'Personal information'), content: [L('生存する個人に関する情報のうち、氏名・生年月日などの記述によって特定の個人を識別できるもの（他の情報と容易に照合でき、それにより特定の個人を識別できるものを含みます。）、又は個人識別符号が含まれるものをいいます。', 'Information about a living individual that identifies a specific person by name, date of birth or other descriptions (including information that can easily be matched with other information to identify the person), or that contains an individual identification code.')] },
    { term: L('個人データ', 'Personal data'), content: [L('個人情報データベース等（個人情報を検索できるように体系的に構成したもの）を構成する個人情報をいいます。', 'Personal information that forms part of a database or other collection organized so that personal information can be searched.')] },
    { term: L('保有個人データ', 'Retained personal data'), content: [L(`${self.ja}が開示、訂正、利用停止等を行う権限を有する個人データをいいます。`, 'Personal data that we have the authority to disclose, correct, stop using and so on.')] },
  ];
  if (policy.data.some((d) => natureOf(d) === 'person_related')) {
    items.push({ term: L('個人関連情報', 'Person-related information'), content: [L('生存する個人に関する情報のうち、個人情報、仮名加工情報及び匿名加工情報のいずれにも該当しないもの（Cookie等の識別子に結び付いた閲覧履歴等）をいいます。', 'Information about a living individual that is not personal information, pseudonymized information or anonymized information, such as a browsing history tied to a cookie identifier.')] });
  }
  if (policy.data.some(isSensitive)) {
    items.push({ term: L('要配慮個人情報', 'Special care-required personal information'), content: [L('人種、信条、社会的身分、病歴、犯罪の経歴、犯罪により害を被った事実その他、本人に対する不当な差別や偏見その他の不利益が生じないよう、その取扱いに特に配慮を要する個人情報をいいます。', 'Personal information that needs special care so that it causes no unfair discrimination, prejudice or other disadvantage, such as race, creed, social status, medical history, criminal record or having been the victim of a crime.')] });
  }
  if (policy.statistics?.pseudonymized?.produces) {
    items.push({ term: L('仮名加工情報', 'Pseudonymized information'), content: [L('他の情報と照合しない限り特定の個人を識別できないように個人情報を加工して得られる情報をいいます。', 'Information made from personal information so that it cannot identify a specific person unless matched with other information.')] });
  }
  if (policy.statistics?.anonymized?.produces) {
    items.push({ term: L('匿名加工情報', 'Anonymized information'), content: [L('特定の個人を識別できず、かつ、当該個人情報を復元できないように個人情報を加工して得られる情報をいいます。', 'Information made from personal information so that no specific person can be identified and the personal information cannot be restored.')] });
  }
  return section('definitions', L('用語の定義', 'Definitions'), [
    p(L('本ポリシーにおける用語の意味は、個人情報保護法の定めに従い、次のとおりとします。', 'In this policy, the following terms have the meanings given by the Act on the Protection of Personal Information.')),
    { kind: 'fields', items },
  ]);
}
