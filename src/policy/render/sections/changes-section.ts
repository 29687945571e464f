import type { Block } from '../policy-document.ts';
import { section, type RenderContext, type SectionDraft } from '../render-context.ts';

/** The section: Changes to this policy. */
export function changesSection(ctx: RenderContext): SectionDraft | undefined {
  const { lang, L, t, self, service, listAnd, p, policy } = ctx;
  const ch = policy.changes;
  if (!ch) return undefined;
  const methodNames: Record<'publish' | 'notify' | 'banner' | 'email', { ja: string; en: string }> = {
    publish: { ja: '本サービス上での掲示', en: 'posting on the service' },
    notify: { ja: 'ご本人への通知', en: 'notifying you' },
    banner: { ja: '本サービス上でのお知らせの表示', en: 'a notice shown on the service' },
    email: { ja: '登録メールアドレスへの電子メール', en: 'email to your registered address' },
  };
  const how = ch.methods.map((m) => methodNames[m][lang]);
  const when = ch.effective === 'on_publication'
    ? L('変更後の本ポリシーは、本サービス上に掲示した時から効力を生じます。', 'The revised policy takes effect when it is posted on the service.')
    : L('変更後の本ポリシーは、お知らせの際に定める効力発生日から効力を生じます。', 'The revised policy takes effect on the date we state when we announce it.');
  const blocks: Block[] = [
    p(L(`${self.ja}は、法令の改正や事業内容の変化等に応じて、本ポリシーを変更することがあります。重要な変更を行う場合は、${listAnd(how)}によりお知らせします。${when}`, `We may revise this policy when laws or our business change. We announce important changes by ${listAnd(how)}. ${when}`)),
  ];
  if (policy.purpose_changes) blocks.push(p(L('利用目的の変更を伴う場合は、前記「利用目的の変更」に定めるところによります。', 'Changes to the purposes of use follow the section on changes to the purposes of use.')));
  if (ch.note) blocks.push(p(t(ch.note)));
  return section('changes', L('本ポリシーの変更', 'Changes to this policy'), blocks);
}
