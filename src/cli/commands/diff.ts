import { existsSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Command } from '../command.ts';
import { formatIssues, loadPolicyFile } from '../../policy/load-policy.ts';
import { diffHtml, diffPlainText, diffPolicies, type DiffSideVersions } from '../../policy/policy-diff.ts';
import { listVersions, requireVersion } from '../../policy/policy-versions.ts';
import type { Policy } from '../../policy/schema.ts';
import { renderPage } from '../../html/layout.ts';
import { html } from '../../html/html.ts';
import type { Store } from '../../store/store.ts';
import { openCliStore } from '../cli-store.ts';

const HELP = `usage: mamori diff <from> <to> [--lang ja|en] [--format text|html] [--out FILE] [--database URL]

Shows what changed between two policies, section by section. Each of <from> and <to> is a policy file, or a
version number (or id) stored by \`mamori publish\` in DATABASE_URL. Exit code 0 when nothing changed, 1 when
something did (like diff(1)), 2 on bad arguments.`;

export const diffCommand: Command = async (argv) => {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      lang: { type: 'string', default: 'ja' },
      format: { type: 'string', default: 'text' },
      out: { type: 'string', short: 'o' },
      database: { type: 'string' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const lang = values.lang;
  if (lang !== 'ja' && lang !== 'en') {
    console.error(`mamori diff: --lang must be ja or en (got "${lang}")`);
    return 2;
  }
  if (values.format !== 'text' && values.format !== 'html') {
    console.error(`mamori diff: --format must be text or html (got "${values.format}")`);
    return 2;
  }
  const [fromRef, toRef] = positionals;
  if (!fromRef || !toRef || positionals.length > 2) {
    console.error(HELP);
    return 2;
  }
  let store: Store | undefined;
  const resolve = async (ref: string): Promise<{ policy: Policy; label: string; versions?: DiffSideVersions } | undefined> => {
    if (existsSync(ref)) {
      const r = loadPolicyFile(ref);
      if (!r.ok) {
        console.error(formatIssues(r.issues));
        return undefined;
      }
      return { policy: r.loaded.policy, label: ref };
    }
    store ??= await openCliStore(values.database);
    const v = await requireVersion(store.db, ref);
    // As on the published page: the revision history lists the published versions up to this one.
    const versions = (await listVersions(store.db)).map((x) => ({ number: x.number, effectiveOn: x.effectiveOn }));
    return { policy: v.policy, label: lang === 'ja' ? `第${v.number}版` : `version ${v.number}`, versions: { version: { number: v.number, effectiveOn: v.effectiveOn }, versions } };
  };
  try {
    const from = await resolve(fromRef);
    const to = from ? await resolve(toRef) : undefined;
    if (!from || !to) return 2;
    const diff = diffPolicies(from.policy, to.policy, { lang, fromLabel: from.label, toLabel: to.label, ...(from.versions ? { fromVersions: from.versions } : {}), ...(to.versions ? { toVersions: to.versions } : {}) });
    const title = lang === 'ja' ? `プライバシーポリシーの変更点（${from.label} → ${to.label}）` : `Privacy policy changes (${from.label} → ${to.label})`;
    const output = values.format === 'html' ? renderPage({ lang, title, body: html`<h1>${title}</h1>${diffHtml(diff)}` }) : diffPlainText(diff);
    if (values.out) writeFileSync(values.out, output);
    else process.stdout.write(output);
    return diff.changedCount > 0 ? 1 : 0;
  } finally {
    await store?.close();
  }
};
