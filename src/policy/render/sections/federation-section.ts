import type { Block } from '../policy-document.ts';
import { section, type RenderContext, type SectionDraft } from '../render-context.ts';

/**
 * The section: delivery to other servers by federation. It states what is delivered, where, on whose action and on
 * what basis, only as the file declares them; what other servers do with the data is theirs to say.
 */
export function federationSection(ctx: RenderContext): SectionDraft | undefined {
  const { L, t, self, dataNames, p, policy } = ctx;
  const f = policy.federation;
  if (!f) return undefined;
  const basis = (() => {
    switch (f.basis) {
      case 'consent':
        return L('ご本人が公開範囲を選んで投稿し、又はプロフィールに公開する操作をもって、この配信への同意をいただいたものとして取り扱います。', 'We treat your act of posting with a chosen audience, or of making information public on your profile, as your consent to this delivery.');
      case 'person_direction':
        return L('この配信は、ご本人が選んだ公開範囲に情報を届けるため、ご本人の指示に従って行うものです。', 'This delivery is made on your direction, to bring the information to the audience you chose.');
      default: {
        const never: never = f.basis;
        return never;
      }
    }
  })();
  const blocks: Block[] = [
    p(L(`本サービスは、${t(f.protocol)}により、ほかのサーバーと連合しています。${self.ja}は、次の情報を、次のサーバーに配信します。`, `The service federates with other servers through ${t(f.protocol)}. We deliver the following information to the following servers.`)),
    {
      kind: 'fields',
      items: [
        { term: L('配信する情報', 'What is delivered'), content: [dataNames(f.delivered)] },
        { term: L('配信先', 'Where it goes'), content: [t(f.destinations)] },
        ...(f.audience_chosen_by_person ? [{ term: L('配信の範囲', 'Who decides the audience'), content: [L('投稿ごとにご本人が選ぶ公開範囲に従います。配信先のサーバーは、ご本人をフォローする利用者等の所属によって決まります。', 'Each post goes to the audience you choose for it; which servers receive it depends on where the people who follow you have their accounts.')] }] : []),
        { term: L('配信の根拠', 'Basis'), content: [basis] },
        ...(f.abroad ? [{ term: L('外国にあるサーバー', 'Servers abroad'), content: [L('配信先には外国にあるサーバーが含まれることがあります。配信先はご本人をフォローする利用者等によって決まるため、所在国をあらかじめ特定することはできません。', 'Servers abroad may be among the recipients. As they depend on who follows you, their countries cannot be identified in advance.')] }] : []),
        ...(f.deletion ? [{ term: L('削除したとき', 'When you delete'), content: [t(f.deletion)] }] : []),
      ],
    },
    p(L('配信先のサーバーにおける情報の取扱いは、それぞれのサーバーの運営者が定めるところによります。', 'How each receiving server handles the information is for its own operator to decide.')),
  ];
  if (f.note) blocks.push(p(t(f.note)));
  return section('federation', L('ほかのサーバーへの配信（連合）', 'Delivery to other servers (federation)'), blocks);
}
