import { formatDualDate } from '../../era-date.ts';
import type { HistoryEntry } from '../policy-history.ts';
import { section, type RenderContext, type SectionDraft } from '../render-context.ts';

/** The section: revision history (制定/改定 with Western and Japanese-era dates). */
export function historySection(ctx: RenderContext, history: HistoryEntry[]): SectionDraft | undefined {
  const { L, t } = ctx;
  if (history.length === 0) return undefined;
  return section('history', L('改定履歴', 'Revision history'), [
    {
      kind: 'list',
      items: history.map((h) => {
        const label = h.kind === 'established' ? L('制定', 'Established') : L('改定', 'Revised');
        const version = h.version ? L(`（第${h.version}版）`, ` (version ${h.version})`) : '';
        const note = h.note ? L(`：${t(h.note)}`, `: ${t(h.note)}`) : '';
        return [L(`${formatDualDate(h.date, 'ja')}　${label}${version}${note}`, `${formatDualDate(h.date, 'en')}: ${label}${version}${note}`)];
      }),
    },
  ]);
}
