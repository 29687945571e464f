import { formatDualDate } from '../../era-date.ts';
import type { Block } from '../policy-document.ts';
import { section, type RenderContext, type SectionDraft } from '../render-context.ts';

/** The section: Joint use (27条5項3号). */
export function jointUseSection(ctx: RenderContext): SectionDraft | undefined {
  const { lang, L, t, self, dataNames, p, policy } = ctx;
  const prov = policy.provision;
  if (prov.joint_use.length === 0) return undefined;
  const blocks: Block[] = [p(L(`${self.ja}は、次のとおり個人データを共同して利用します。`, 'We use personal data jointly with others as follows.'))];
  prov.joint_use.forEach((j, i) => {
    if (prov.joint_use.length > 1) blocks.push({ kind: 'heading', text: L(`共同利用${i + 1}`, `Joint use ${i + 1}`) });
    const r = j.responsible;
    blocks.push({
      kind: 'fields',
      items: [
        { term: L('共同利用をする旨', 'Joint use'), content: [L('次の範囲の者との間で、個人データを共同して利用します。', 'We use personal data jointly with the parties below.')] },
        { term: L('共同して利用される個人データの項目', 'Items of personal data used jointly'), content: [dataNames(j.data)] },
        { term: L('共同して利用する者の範囲', 'Who uses it jointly'), content: [t(j.users_scope)] },
        { term: L('利用する者の利用目的', 'Purposes of the joint users'), content: [t(j.purposes)] },
        // 27条5項3号 asks for a representative only of a corporation or association.
        r.representative
          ? { term: L('管理について責任を有する者の名称・住所・代表者', 'Party responsible: name, address and representative'), content: [`${t(r.name)}${L('／', ' / ')}${t(r.address)}${L('／', ' / ')}${t(r.representative)}`] }
          : { term: L(r.kind === 'individual' ? '管理について責任を有する者の氏名・住所' : '管理について責任を有する者の名称・住所', 'Party responsible: name and address'), content: [`${t(r.name)}${L('／', ' / ')}${t(r.address)}`] },
        ...(j.since ? [{ term: L('共同利用の開始日', 'Joint use since'), content: [formatDualDate(j.since, lang)] }] : []),
      ],
    });
  });
  return section('joint_use', L('共同利用', 'Joint use'), blocks);
}
