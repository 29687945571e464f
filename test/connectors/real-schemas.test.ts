import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { parseDocument } from 'yaml';
import { parseGraph } from '../../src/connectors/load-graph.ts';
import type { SqlConnection } from '../../src/connectors/sql/sql-connection.ts';
import { runMamori } from '../support/cli.ts';
import { changedRows, loadRealSchema, SCHEMAS_DIR, schemasPresent, snapshotAll, type RealSchema } from '../support/real-schemas.ts';
import { seedWordpress, wordpressRowsOf, wpEmail } from '../fixtures/real-schemas/wordpress-seed.ts';
import { lemmyEmail, lemmyRowsOf, seedLemmy } from '../fixtures/real-schemas/lemmy-seed.ts';
import { seedSynapse, synapseEmail, synapseRowsOf } from '../fixtures/real-schemas/synapse-seed.ts';

const POLICY = 'test/fixtures/real-schemas/policy.yaml';
const USERS = 60;

interface Case {
  schema: RealSchema;
  seed(conn: SqlConnection, users: number): Promise<void>;
  /** The person's rows by hand-written SQL: primary keys (joined with `|`) per table. */
  rowsOf(conn: SqlConnection, i: number): Promise<Record<string, string[]>>;
  email(i: number): string;
  /** The person, whose address is stored with capitals (`User7@Example.JP`): looked up in upper case. */
  target: number;
  /** Free text only the person wrote, gone after erasure. */
  freeText: string[];
  /** Secrets the person's rows hold: never in the disclosure package. */
  secrets: string[];
  /** Columns the application's own triggers recompute when rows change (counters, ranks): not compared. */
  derived?: RegExp;
}

const cases: Case[] = [
  {
    schema: 'wordpress',
    seed: seedWordpress,
    rowsOf: wordpressRowsOf,
    email: wpEmail,
    target: 7,
    freeText: ['本文 7-0', '自己紹介 7:', 'コメント 7→8', '下書き 7-1'],
    // Session tokens are wp_usermeta rows (meta_key session_tokens): withheld by the draft.
    secrets: ['$P$B000007', 'f'.repeat(60)],
  },
  {
    schema: 'lemmy',
    seed: seedLemmy,
    rowsOf: lemmyRowsOf,
    email: lemmyEmail,
    target: 7,
    freeText: ['本文 7-0', '自己紹介 7:', 'コメント 7→8', 'こんにちは 8さん、7です', 'メモ: 8さんは写真家'],
    secrets: ['$2b$12$0007', 'key7\n', 'tok-7-a'],
    derived: /^(score|upvotes|downvotes|comments|child_count|hot_rank(_active)?|controversy_rank|scaled_rank|report_count|unresolved_report_count|subscribers(_local)?|posts|users(_active_.*)?|interactions_month|post_count|post_score|comment_count|comment_score|newest_comment_time(_necro)?_at)$/,
  },
  {
    schema: 'synapse',
    seed: seedSynapse,
    rowsOf: synapseRowsOf,
    email: synapseEmail,
    target: 7,
    freeText: ['メッセージ 7-0', '表示名 7'],
    secrets: ['$2b$12$0007', 'syt_user7_', 'ed25519:dev7'],
  },
];

describe('connectors on real application schemas (../shared/schemas)', { skip: schemasPresent ? false : `the real schemas are absent (${SCHEMAS_DIR}): CI has them beside the clone` }, () => {
  for (const c of cases) {
    it(`${c.schema}: the unedited scan draft lints clean, access finds exactly the person's rows, erasure changes no one else's`, async (t) => {
      const db = await loadRealSchema(c.schema);
      const dir = mkdtempSync(join(tmpdir(), `mamori-real-${c.schema}-`));
      t.after(async () => {
        await db.drop();
        rmSync(dir, { recursive: true, force: true });
      });
      await c.seed(db.conn, USERS);
      const env = { APP_DATABASE_URL: db.url, DATABASE_URL: `sqlite:${join(dir, 'mamori.sqlite')}`, MAMORI_DATA_DIR: dir };
      const mamori = (...args: string[]) => runMamori(args, { env });
      const draftPath = join(dir, 'draft.yaml');

      const scan = await mamori('scan', db.url, '--policy', POLICY, '--out', draftPath);
      assert.ok(scan.code === 0 || scan.code === 1, scan.stderr);
      const lint = await mamori('lint', POLICY, '--graph', draftPath);
      assert.equal(lint.code, 0, lint.stdout);
      assert.match(lint.stderr, / 0 errors/);
      const loaded = parseGraph(readFileSync(draftPath, 'utf8'), draftPath);
      assert.ok(loaded.ok);
      const ds = loaded.loaded.graph.datasets[0];
      assert.ok(ds);
      const pkOf = new Map(ds.collections.map((x) => [x.name, x.primary_key]));
      if (c.schema === 'lemmy') {
        // Lemmy's require_uplete guard lets only deletes starting with its empty-comment marker through: scan read
        // the marker from the trigger's code, and named the triggers each erasure fires for review.
        const actions = ds.collections.find((x) => x.name === 'post_actions');
        assert.equal(actions?.erase.action, 'delete');
        assert.equal(actions?.statement_comment, '/**' + '/');
        assert.ok(actions?.allow_triggers?.names.includes('post_actions.require_uplete'));
        assert.ok(actions?.allow_triggers?.names.includes('post_actions.delete_statement'));
        assert.match(actions?.review ?? '', /fires the application's trigger\(s\).*post_actions\.delete_statement/);
      }
      // A key made of a secret (a login token) is not disclosed: those tables are compared by their row count.
      const hiddenKey = new Set(ds.collections.filter((x) => x.fields.some((f) => !f.disclose && x.primary_key.includes(f.name))).map((x) => x.name));

      // Access, with the address in another case than stored.
      const expected = await c.rowsOf(db.conn, c.target);
      const pkg = join(dir, 'pkg.zip');
      const access = await mamori('dsr', 'access', '--graph', draftPath, '--identity', `email=${c.email(c.target).toUpperCase()}`, '--out', pkg);
      assert.equal(access.code, 0, access.stdout + access.stderr);
      const files = unzipSync(new Uint8Array(readFileSync(pkg)));
      const found: Record<string, string[]> = {};
      for (const [name, bytes] of Object.entries(files)) {
        if (name === 'manifest.json') continue;
        const table = name.replace(/\.json$/, '').split('.').slice(1).join('.');
        const rows = JSON.parse(strFromU8(bytes)) as Array<Record<string, unknown>>;
        found[table] = rows.map((r) => (pkOf.get(table) ?? []).map((k) => String(r[k])).join('|')).sort();
      }
      for (const [table, keys] of Object.entries(expected)) {
        if (hiddenKey.has(table)) assert.equal(found[table]?.length ?? 0, keys.length, `access of ${table} differs from the hand-written SQL`);
        else assert.deepEqual(found[table] ?? [], keys, `access of ${table} differs from the hand-written SQL`);
      }
      for (const [table, keys] of Object.entries(found)) if (!(table in expected)) assert.deepEqual(keys, [], `${table}: rows exported that the hand-written SQL does not count as the person's`);
      assert.ok(Object.values(expected).reduce((n, k) => n + k.length, 0) >= 5, 'the person has data to find');
      const text = Object.values(files).map((b) => strFromU8(b)).join('\n');
      for (const s of c.secrets) assert.ok(!text.includes(s), `a secret of the person was disclosed (${s.slice(0, 6)}…)`);
      for (const s of c.freeText.slice(0, 1)) assert.ok(text.includes(s), `the person's free text was not disclosed (${s})`);

      // A dry run changes nothing; the erasure changes only the person's rows; a second erasure changes nothing.
      const ignore = (_t: string, col: string) => c.derived?.test(col) === true;
      const before = await snapshotAll(db.conn, ignore);
      const dry = await mamori('dsr', 'erase', '--graph', draftPath, '--identity', `email=${c.email(c.target)}`, '--dry-run');
      assert.equal(dry.code, 0, dry.stdout);
      assert.equal(changedRows(before, await snapshotAll(db.conn, ignore)).size, 0, 'a dry run changed rows');
      const erase = await mamori('dsr', 'erase', '--graph', draftPath, '--identity', `email=${c.email(c.target)}`);
      assert.equal(erase.code, 0, erase.stdout + erase.stderr);
      const after = await snapshotAll(db.conn, ignore);
      for (const [table, rows] of changedRows(before, after)) {
        const mine = new Set(expected[table] ?? []);
        const pk = pkOf.get(table) ?? [];
        const others = rows.filter((r) => {
          const row = JSON.parse(r) as Record<string, unknown>;
          return !mine.has(pk.map((k) => String(row[k])).join('|'));
        });
        assert.deepEqual(others, [], `erasure changed other people's rows in ${table}`);
      }
      const all = [...after.values()].flat().join('\n');
      assert.ok(!all.toLowerCase().includes(c.email(c.target).toLowerCase()), 'the person\'s email is still stored');
      for (const s of c.freeText) assert.ok(!all.includes(s), `the person's free text is still stored (${s})`);
      const again = await mamori('dsr', 'erase', '--graph', draftPath, '--identity', `account_id=${(expected[rootOf(ds.collections)] ?? [''])[0] ?? ''}`);
      assert.ok(again.code === 0 || again.code === 3, again.stdout);
      assert.equal(changedRows(after, await snapshotAll(db.conn, ignore)).size, 0, 'a second erasure changed rows');
      const gone = await mamori('dsr', 'access', '--graph', draftPath, '--identity', `email=${c.email(c.target)}`);
      assert.equal(gone.code, 3, gone.stdout);
      assert.match(gone.stdout, /no data found for these identities/);

      if (c.schema === 'lemmy') {
        // Deleting the person row would cascade into other people's replies, votes and messages: refused by default.
        const doc = parseDocument(readFileSync(draftPath, 'utf8'));
        const cols = doc.getIn(['datasets', 0, 'collections']);
        assert.ok(cols && typeof cols === 'object' && 'items' in cols && Array.isArray(cols.items));
        const idx = (cols.items as unknown[]).findIndex((x) => doc.getIn(['datasets', 0, 'collections', (cols.items as unknown[]).indexOf(x), 'name']) === 'person');
        doc.setIn(['datasets', 0, 'collections', idx, 'erase'], doc.createNode({ action: 'delete' }));
        const deleting = join(dir, 'delete-person.yaml');
        writeFileSync(deleting, doc.toString());
        const person = c.email(3);
        const planned = await mamori('dsr', 'erase', '--graph', deleting, '--identity', `email=${person}`, '--dry-run');
        assert.equal(planned.code, 0, planned.stdout);
        assert.match(planned.stdout, /cascades person → comment\.creator_id \(cascade\): 2 of the person's row\(s\), 0 other people's/);
        assert.match(planned.stdout, /cascades person → post\.creator_id \(cascade\) → comment\.post_id \(cascade\): \d+ of the person's row\(s\), [1-9]\d* other people's/);
        const snap = await snapshotAll(db.conn, ignore);
        const refused = await mamori('dsr', 'erase', '--graph', deleting, '--identity', `email=${person}`);
        assert.equal(refused.code, 1);
        assert.match(refused.stdout, /MAMORI_ERASE_CASCADE.*nothing was changed.*person → post\.creator_id \(cascade\) → comment\.post_id \(cascade\): [1-9]\d* other people's row\(s\).*use `erase: \{ action: mask/s);
        assert.doesNotMatch(refused.stdout, /queued/);
        assert.equal(changedRows(snap, await snapshotAll(db.conn, ignore)).size, 0, 'a refused erasure changed rows');
        doc.setIn(['datasets', 0, 'collections', idx, 'allow_cascade'], doc.createNode({ reason: '退会者の投稿への返信も削除する運用（利用規約第12条）' }));
        writeFileSync(deleting, doc.toString());
        // Deleting the person row also fires Lemmy's own triggers (the person's, and those of the rows the delete
        // cascades into): listed in the plan, refused until the graph names them.
        const triggerPlan = await mamori('dsr', 'erase', '--graph', deleting, '--identity', `email=${person}`, '--dry-run');
        assert.match(triggerPlan.stdout, /trigger person\.delete_follow runs \(before delete, for each row\), NOT acknowledged/);
        assert.match(triggerPlan.stdout, /trigger post\.delete_statement runs \(after delete, per statement\), NOT acknowledged; its code writes [^\n]*\bcommunity\b/);
        // What the triggers change is measured in a rolled-back run, per table, apart from the cascades.
        const measured = [...triggerPlan.stdout.matchAll(/triggers change (\S+): (\d+) inserted, (\d+) updated, (\d+) deleted \(measured, rolled back\)/g)];
        assert.ok(measured.some((m) => Number(m[2]) + Number(m[3]) + Number(m[4]) > 0), triggerPlan.stdout);
        const unacknowledged = await mamori('dsr', 'erase', '--graph', deleting, '--identity', `email=${person}`);
        assert.equal(unacknowledged.code, 1);
        assert.match(unacknowledged.stdout, /MAMORI_ERASE_TRIGGERS.*nothing was changed.*person\.delete_follow \(before delete, for each row\).*allow_triggers/s);
        assert.equal(changedRows(snap, await snapshotAll(db.conn, ignore)).size, 0, 'an erasure refused for its triggers changed rows');
        const names = [...new Set([...triggerPlan.stdout.matchAll(/trigger (\S+) runs/g)].map((m) => m[1] ?? ''))];
        doc.setIn(['datasets', 0, 'collections', idx, 'allow_triggers'], doc.createNode({ names, reason: '投票数などの集計を更新するだけのトリガー（確認済み）' }));
        writeFileSync(deleting, doc.toString());
        const acknowledged = await mamori('dsr', 'erase', '--graph', deleting, '--identity', `email=${person}`);
        assert.equal(acknowledged.code, 0, acknowledged.stdout);
        assert.match(acknowledged.stdout, /trigger person\.delete_follow runs \(before delete, for each row\), acknowledged/);
        assert.match(acknowledged.stdout, /person: done 1 \(cascade acknowledged: 退会者の投稿への返信も削除する運用（利用規約第12条）; triggers acknowledged: 投票数などの集計を更新するだけのトリガー（確認済み）\)/);
      }
    });
  }
});

/** The collection whose key is the `account_id` identity (the account root). */
function rootOf(collections: Array<{ name: string; fields: Array<{ identity?: string | undefined }> }>): string {
  return collections.find((x) => x.fields.some((f) => f.identity === 'account_id'))?.name ?? '';
}
