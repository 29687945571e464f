import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadPolicyFile, formatIssues, type LoadedPolicy, type PolicyIssue } from '../../src/policy/load-policy.ts';
import { lintPolicy } from '../../src/policy/lint.ts';
import { renderPolicy, type RenderFormat, type RenderLang } from '../../src/policy/render.ts';

/** The five reference services, one per seed policy. */
export type ExampleName = 'misskey-server' | 'community-server' | 'social-network' | 'saas-entrusted' | 'hosting';

export function examplePath(name: ExampleName): string {
  return fileURLToPath(new URL(`../../examples/${name}/policy.yaml`, import.meta.url));
}

/** Loads an example policy, failing the test with the located schema issues if it does not parse. */
export function loadExample(name: ExampleName): LoadedPolicy {
  const result = loadPolicyFile(examplePath(name));
  if (!result.ok) assert.fail(`examples/${name}/policy.yaml does not parse:\n${formatIssues(result.issues)}`);
  return result.loaded;
}

/** Lint issues of an example, split by severity; the message lists them as `mamori lint` would print them. */
export function lintExample(loaded: LoadedPolicy): { errors: PolicyIssue[]; warnings: PolicyIssue[] } {
  const issues = lintPolicy(loaded);
  return { errors: issues.filter((i) => i.severity === 'error'), warnings: issues.filter((i) => i.severity === 'warning') };
}

/** Warnings an example accepts (by rule id), each a deliberate choice explained in the policy file. */
export interface LintExpectations {
  warnings?: readonly string[];
}

/** Asserts an example lints without errors, and that the only warnings are the ones it expects. */
export function assertLintsClean(loaded: LoadedPolicy, expected: LintExpectations = {}): void {
  const { errors, warnings } = lintExample(loaded);
  assert.equal(errors.length, 0, `lint errors:\n${formatIssues(errors)}`);
  const unexpected = warnings.filter((w) => !(expected.warnings ?? []).includes(w.rule));
  assert.equal(unexpected.length, 0, `unexpected lint warnings:\n${formatIssues(unexpected)}`);
}

/** A fact of the seed that the published policy must state, in Japanese and in its English counterpart. */
export interface SeedFact {
  topic: string;
  ja: string | readonly string[];
  en: string | readonly string[];
}

export const renderings: ReadonlyArray<{ lang: RenderLang; format: RenderFormat }> = [
  { lang: 'ja', format: 'html' },
  { lang: 'ja', format: 'md' },
  { lang: 'en', format: 'html' },
  { lang: 'en', format: 'md' },
];

/**
 * The rendered text to look for facts in: tags dropped (link targets kept, as a reader can follow them), entities and
 * Markdown escapes decoded, whitespace folded.
 */
function plainText(rendered: string, format: RenderFormat): string {
  const text = format === 'html'
    ? rendered.replace(/<a\s[^>]*href="([^"]*)"[^>]*>/g, ' $1 ').replace(/<[^>]*>/g, ' ').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;|&#x27;/g, "'").replace(/&nbsp;|&#160;/g, ' ')
    : rendered.replace(/\\([\\`*_{}[\]()#+\-.!|>~])/g, '$1');
  return text.replace(/\s+/g, ' ');
}

/** Renders the example and returns the facts (by topic and expected string) that the output does not contain. */
export function missingFacts(loaded: LoadedPolicy, lang: RenderLang, format: RenderFormat, facts: readonly SeedFact[]): string[] {
  const text = plainText(renderPolicy(loaded.policy, { lang, format }), format);
  const missing: string[] = [];
  for (const fact of facts) {
    const wanted = fact[lang];
    for (const s of typeof wanted === 'string' ? [wanted] : wanted) {
      if (!text.includes(s.replace(/\s+/g, ' '))) missing.push(`${fact.topic}: ${s}`);
    }
  }
  return missing;
}

/**
 * Registers one test per language and format checking that the rendered policy states every fact of the seed.
 * @example testRenderedFacts(loaded, [{ topic: 'disclosure fee', ja: '1,500円', en: '¥1,500' }]);
 */
export function testRenderedFacts(loaded: LoadedPolicy, facts: readonly SeedFact[]): void {
  for (const { lang, format } of renderings) {
    test(`the rendered policy (${lang}, ${format}) states every topic of the seed`, () => {
      assert.deepEqual(missingFacts(loaded, lang, format, facts), []);
    });
  }
}
