import type { Policy } from './schema.ts';
import { buildPolicyDocument } from './render-document.ts';
import { renderPolicyHtml } from './render-html.ts';
import { renderPolicyMarkdown } from './render-markdown.ts';

export type RenderLang = 'ja' | 'en';
export type RenderFormat = 'html' | 'md';

export interface RenderOptions {
  lang: RenderLang;
  format: RenderFormat;
  /** The published version being shown (number and effective date), if any. */
  version?: { number: number; effectiveOn: string };
  /** Published versions, newest first, for the revision history (merged with the file's own history). */
  versions?: Array<{ number: number; effectiveOn: string }>;
  /** Link target for the online request form; default `/privacy-center`. */
  privacyCenterUrl?: string;
}

/**
 * Renders the published privacy policy: numbered sections (only those that apply), Japanese first or English,
 * as a complete HTML page or as Markdown.
 * @example renderPolicy(loaded.policy, { lang: 'ja', format: 'html' })
 */
export function renderPolicy(policy: Policy, opts: RenderOptions): string {
  const doc = buildPolicyDocument(policy, { lang: opts.lang, version: opts.version, versions: opts.versions, privacyCenterUrl: opts.privacyCenterUrl });
  switch (opts.format) {
    case 'html':
      return renderPolicyHtml(doc);
    case 'md':
      return renderPolicyMarkdown(doc);
    default: {
      const never: never = opts.format;
      return never;
    }
  }
}
