import type { Policy } from './schema.ts';

export type RenderLang = 'ja' | 'en';
export type RenderFormat = 'html' | 'md';

export interface RenderOptions {
  lang: RenderLang;
  format: RenderFormat;
  /** The published version being shown (number and effective date), if any. */
  version?: { number: number; effectiveOn: string };
  /** Published versions, newest first, for the revision history (merged with the file's own history). */
  versions?: Array<{ number: number; effectiveOn: string }>;
}

/** Renders the published privacy policy (not built yet). */
export function renderPolicy(_policy: Policy, _opts: RenderOptions): string {
  throw new Error('renderPolicy: not built yet');
}
