import type { AcquisitionMethod } from '../../schema.ts';
import type { Block, Rich } from '../policy-document.ts';
import { section, type RenderContext, type SectionDraft } from '../render-context.ts';

const acquisitionNames: Record<AcquisitionMethod, { ja: string; en: string }> = {
  direct: { ja: 'ご本人から直接', en: 'From you directly' },
  automatic: { ja: '本サービスのご利用に伴い自動的に', en: 'Automatically as you use the service' },
  third_party: { ja: '第三者からの提供', en: 'From third parties' },
  public_sources: { ja: '公開されている情報から', en: 'From public sources' },
};

/** The section: What we acquire and how, per subject group. */
export function acquisitionSection(ctx: RenderContext): SectionDraft {
  const { lang, L, t, self, dataName, isSensitive, natureOf, p, policy } = ctx;
  const blocks: Block[] = [p(L(`${self.ja}は、適正な手段により、次の情報を取得します。偽りその他不正の手段により個人情報を取得することはありません。`, `We acquire the following information by proper means. We never acquire personal information by deception or other improper means.`))];
  for (const g of policy.subject_groups) {
    const items = policy.data.filter((d) => d.subject_groups.includes(g.id));
    if (items.length === 0) continue;
    blocks.push({ kind: 'heading', text: t(g.name) });
    if (g.description) blocks.push(p(t(g.description)));
    if (g.role === 'processor') {
      const by = g.entrusted_by ? t(g.entrusted_by) : L('会員企業', 'member organizations');
      blocks.push(p(L(`これらの情報は、${by}から個人データの取扱いの委託を受けて取り扱うものです。${self.ja}は、委託の範囲内でのみ取り扱い、委託元の指示に従います。`, `We handle this information because ${by} entrusted us with it. We handle it only within the scope of the entrustment and follow their instructions.`)));
    }
    const rows: Rich[][] = items.map((d) => {
      const how = d.acquisition.map((a) => {
        let s = acquisitionNames[a.method][lang];
        if (a.source) s += L(`（提供元: ${t(a.source)}）`, ` (source: ${t(a.source)})`);
        if (a.description) s += L(`：${t(a.description)}`, `: ${t(a.description)}`);
        return s;
      });
      const notes: string[] = [];
      if (d.details) notes.push(t(d.details));
      if (isSensitive(d)) notes.push(L('要配慮個人情報', 'Special care-required'));
      if (natureOf(d) === 'person_related') notes.push(L('個人関連情報', 'Person-related information'));
      if (d.published_by_user) notes.push(L('ご本人の設定により公開される場合があります', 'May be made public if you choose to'));
      return [[dataName(d)], [notes.join(L('。', '. '))], [how.join(L('／', ' / '))]];
    });
    blocks.push({ kind: 'table', head: [L('情報の項目', 'Information'), L('内容・補足', 'Details'), L('取得の方法', 'How we acquire it')], rows });
  }
  if (policy.data.some(isSensitive)) {
    blocks.push(p(L('要配慮個人情報は、法令に基づく場合等を除き、あらかじめご本人の同意を得たうえで取得します。', 'We acquire special care-required personal information only with your prior consent, except where the law provides otherwise.')));
  }
  const confirmed = policy.data.flatMap((d) => d.acquisition.filter((a) => a.method === 'third_party').map((a) => ({ d, a })));
  if (confirmed.length > 0) {
    blocks.push(p(L(`第三者から個人データの提供を受ける際は、法令に従い、提供元の名称・住所・代表者の氏名及び提供元がその個人データを取得した経緯を確認し、その記録を作成して保存します。`, `When we receive personal data from a third party, we confirm, as the law requires, the provider's name, address and representative and how the provider acquired the data, and we keep a record of this.`)));
    const rows: Rich[][] = confirmed.flatMap(({ d, a }) => {
      const c = a.confirmation;
      return c ? [[[dataName(d)], [t(c.provider_name)], [t(c.provider_address)], [t(c.provider_representative)], [t(c.how_provider_acquired)]]] : [];
    });
    if (rows.length > 0) blocks.push({ kind: 'table', head: [L('情報の項目', 'Information'), L('提供元', 'Provider'), L('提供元の住所', 'Provider address'), L('提供元の代表者', 'Provider representative'), L('提供元による取得の経緯', 'How the provider acquired it')], rows });
  }
  return section('acquisition', L('取得する情報と取得の方法', 'Information we acquire and how'), blocks);
}
