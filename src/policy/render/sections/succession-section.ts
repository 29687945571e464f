import { section, type RenderContext, type SectionDraft } from '../render-context.ts';

/** The section: Business succession. */
export function successionSection(ctx: RenderContext): SectionDraft | undefined {
  const { L, self, p, policy } = ctx;
  const prov = policy.provision;
  if (!prov.succession) return undefined;
  return section('succession', L('事業の承継', 'Business succession'), [
    p(L(`合併、会社分割、事業譲渡その他の事由により${self.ja}の事業が承継される場合、個人情報は承継先に引き継がれることがあります。この場合、承継先は、承継前の利用目的の範囲内で個人情報を取り扱います。`, `If our business passes to another party by merger, company split, business transfer or otherwise, personal information may pass to that successor, which will handle it only within the purposes of use that applied before.`)),
  ]);
}
