import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { Command } from '../command.ts';
import { formatIssues, loadPolicyFile } from '../../policy/load-policy.ts';
import { lintPolicy } from '../../policy/lint.ts';
import { renderPolicy, type RenderFormat, type RenderLang } from '../../policy/render.ts';
import { listVersions, requireVersion } from '../../policy/policy-versions.ts';
import { openCliStore } from '../cli-store.ts';

const HELP = `usage: mamori render <file> [--lang ja|en] [--format html|md] [--out FILE]
       mamori render --version N [--lang ja|en] [--format html|md] [--out FILE] [--database URL]

Writes the published privacy policy (Japanese by default, HTML by default) to stdout or --out.
With --version, renders a version stored by \`mamori publish\` (number or id) from DATABASE_URL.
Lint errors in the file are printed to stderr as a warning; the policy is still rendered so you can review it.
Links to the online request form point at $MAMORI_BASE_URL/privacy-center when MAMORI_BASE_URL is set.`;

/** Where mamori's privacy center is served, for links in a policy rendered outside the server. */
function privacyCenterUrl(): string | undefined {
  const base = z.url().safeParse(process.env.MAMORI_BASE_URL);
  return base.success ? `${base.data.replace(/\/+$/, '')}/privacy-center` : undefined;
}

export const renderCommand: Command = async (argv) => {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      lang: { type: 'string', default: 'ja' },
      format: { type: 'string', default: 'html' },
      version: { type: 'string' },
      out: { type: 'string', short: 'o' },
      database: { type: 'string' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const lang = values.lang;
  const format = values.format;
  if (lang !== 'ja' && lang !== 'en') {
    console.error(`mamori render: --lang must be ja or en (got "${lang}")`);
    return 2;
  }
  if (format !== 'html' && format !== 'md') {
    console.error(`mamori render: --format must be html or md (got "${format}")`);
    return 2;
  }
  const file = positionals[0];
  if (!file && !values.version) {
    console.error(HELP);
    return 2;
  }
  const output = values.version ? await renderStored(values.version, values.database, lang, format) : renderFile(file!, lang, format);
  if (output === undefined) return 1;
  if (values.out) writeFileSync(values.out, output);
  else process.stdout.write(output);
  return 0;
};

function renderFile(file: string, lang: RenderLang, format: RenderFormat): string | undefined {
  const result = loadPolicyFile(file);
  if (!result.ok) {
    console.error(formatIssues(result.issues));
    return undefined;
  }
  const problems = lintPolicy(result.loaded).filter((i) => i.severity === 'error');
  if (problems.length > 0) console.error(`mamori render: warning: the policy has lint errors (mamori publish and serve will refuse it):\n${formatIssues(problems)}`);
  const url = privacyCenterUrl();
  return renderPolicy(result.loaded.policy, { lang, format, ...(url ? { privacyCenterUrl: url } : {}) });
}

async function renderStored(ref: string, database: string | undefined, lang: RenderLang, format: RenderFormat): Promise<string> {
  const store = await openCliStore(database);
  try {
    const version = await requireVersion(store.db, ref);
    const versions = (await listVersions(store.db)).filter((v) => v.number <= version.number);
    const url = privacyCenterUrl();
    return renderPolicy(version.policy, { lang, format, version: { number: version.number, effectiveOn: version.effectiveOn }, versions, ...(url ? { privacyCenterUrl: url } : {}) });
  } finally {
    await store.close();
  }
}
