import { externalTransmissionSection } from '../../render-external-transmissions.ts';
import { section, type RenderContext, type SectionDraft } from '../render-context.ts';

/** The section: 外部送信 (電気通信事業法27条の12), when the policy declares the service in scope. */
export function externalTransmissionsSection(ctx: RenderContext): SectionDraft | undefined {
  const s = externalTransmissionSection(ctx.policy, ctx.lang, ctx.self.ja, ctx.opts.externalTransmissionsUrl);
  return s ? section('external_transmissions', s.title, s.blocks) : undefined;
}
