import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { formatIssues, loadPolicyFile } from '../../policy/load-policy.ts';
import type { SqlEngine } from '../../connectors/graph-schema.ts';
import { openSqlConnection } from '../../connectors/sql/open-sql-connection.ts';
import { scanSchema } from '../../connectors/scan/scan-database.ts';
import { draftGraph } from '../../connectors/scan/draft-graph.ts';
import type { Command } from '../command.ts';

const HELP = `usage: mamori scan <database-url> [--policy policy.yaml] [--out graph.yaml] [--url-env NAME] [--sample N]

Introspects a database (postgres://…, mysql://…, sqlite:<path>), samples each column's values and detects personal
data by column names and by values (email, Japanese phone numbers, postal codes, マイナンバー with its check digit,
card numbers (Luhn), IP addresses, birthdates, names in kana/kanji; secrets such as password hashes and keys).
Writes a draft dataset graph with --out that runs unedited: ownership inferred from the account table outward,
references to other people's rows not followed, links without a foreign key proposed for review, tables other
people's rows point at masked instead of deleted, secrets erased but never disclosed. Tables left out are listed
in a comment at the top of the draft.
With --policy, reports categories found in the database that the policy does not declare.
Sampled values are never printed: only table and column names and counts.

Exit status: 0 no drift, 1 data the policy does not declare, 2 usage or connection errors.`;

function engineOf(url: string): SqlEngine | undefined {
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgres';
  if (/^(mysql|mariadb):\/\//.test(url)) return 'mysql';
  if (url.startsWith('sqlite:') || url.endsWith('.sqlite') || url.endsWith('.db')) return 'sqlite';
  return undefined;
}

/**
 * `mamori scan <database-url>`.
 * @example node bin/mamori.js scan "$MISSKEY_DATABASE_URL" --policy examples/misskey-server/policy.yaml --out draft.yaml
 */
export const scanCommand: Command = async (argv) => {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { policy: { type: 'string' }, out: { type: 'string' }, 'url-env': { type: 'string' }, sample: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const url = positionals[0];
  const engine = url ? engineOf(url) : undefined;
  if (!url || !engine) {
    console.error(HELP);
    return 2;
  }
  let declared: Set<string> | undefined;
  if (values.policy) {
    const p = loadPolicyFile(values.policy);
    if (!p.ok) {
      console.error(formatIssues(p.issues));
      return 2;
    }
    declared = new Set(p.loaded.policy.data.map((d) => d.category));
  }
  const conn = openSqlConnection(engine, engine === 'mysql' ? url.replace(/^mariadb:/, 'mysql:') : url);
  try {
    let scan;
    try {
      scan = await scanSchema(conn, engine, { sample: Math.max(10, Number(values.sample ?? 200) || 200) });
    } catch (err) {
      // Driver messages can carry the URL's password: say only what kind of failure it was.
      const code = err instanceof Error && 'code' in err ? String(err.code) : 'error';
      console.error(`cannot scan the database (${code})`);
      return 2;
    }
    const { tables } = scan;
    let drift = 0;
    for (const t of tables) {
      const found = t.columns.filter((c) => c.category);
      if (found.length === 0) continue;
      console.log(`${t.name} (${t.rowEstimate} rows)`);
      for (const c of found) {
        const ev = c.evidence?.by === 'values' ? `values ${c.evidence.matched}/${c.evidence.sampled} look like ${c.evidence.kind}` : c.evidence?.by === 'json' ? `JSON values hold ${c.evidence.kind}` : c.secret ? 'a secret: erased, never disclosed' : c.freeText ? 'free text' : 'by column name';
        const undeclared = declared && c.category && !declared.has(c.category);
        if (undeclared) drift++;
        console.log(`  ${c.name}: ${c.category ?? ''} (${ev})${undeclared ? ' — not declared in the policy' : ''}`);
      }
    }
    if (values.out) {
      const dbName = /\/([A-Za-z0-9_]+)(\?.*)?$/.exec(url)?.[1] ?? 'app_db';
      const draft = draftGraph(scan, { datasetId: dbName.replace(/^[^A-Za-z_]/, '_'), engine, urlEnv: values['url-env'] ?? 'APP_DATABASE_URL' });
      const header = [
        '# Draft written by mamori scan. It runs as it is (access finds only the person\'s rows; erasure masks rows other',
        '# people\'s rows point at), but review the `review:` notes, categories and erase actions before use.',
        ...(draft.leftOut.length > 0 ? ['#', '# Left out (not the person\'s data, or no way to address their rows):', ...draft.leftOut.map((x) => `#   ${x.table}: ${x.reason}`)] : []),
      ];
      writeFileSync(values.out, `${header.join('\n')}\n${stringify(draft.graph, { lineWidth: 0 })}`);
      console.log(`wrote ${values.out}`);
    }
    if (drift > 0) {
      console.log(`${drift} column(s) hold data the policy does not declare: add data items for these categories or stop collecting them`);
      return 1;
    }
    return 0;
  } finally {
    await conn.close();
  }
};
