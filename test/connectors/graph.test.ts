import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseGraph } from '../../src/connectors/load-graph.ts';
import { lintGraphFile } from '../../src/connectors/graph-lint.ts';
import { planDataset } from '../../src/connectors/graph-plan.ts';
import { loadPolicyFile } from '../../src/policy/load-policy.ts';

const misskeyPolicy = () => {
  const r = loadPolicyFile('examples/misskey-server/policy.yaml');
  if (!r.ok) throw new Error('example policy does not load');
  return r.loaded.policy;
};
const writeGraph = (text: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 'mamori-graph-')), 'datasets.yaml');
  writeFileSync(path, text);
  return path;
};
const header = `mamori_graph: 1
datasets:
  - id: app
    connection: { kind: sqlite, url_env: APP_DB }
    collections:
`;

describe('dataset graph', () => {
  it('the Misskey example graph lints clean against the Misskey example policy', () => {
    assert.deepEqual(lintGraphFile('examples/misskey-server/datasets.yaml', misskeyPolicy()), []);
  });

  it('plans parents before children and erases in reverse', () => {
    const r = parseGraph(`${header}      - name: comments
        primary_key: [id]
        fields: [{ name: id }, { name: post_id, references: posts.id }]
      - name: posts
        primary_key: [id]
        fields: [{ name: id }, { name: user_id, references: users.id }]
      - name: users
        primary_key: [id]
        fields: [{ name: id }, { name: email, identity: email, category: email }]
`, 'g.yaml');
    assert.ok(r.ok);
    const plan = planDataset(r.loaded.graph.datasets[0] ?? assert.fail());
    assert.deepEqual(plan.order.map((p) => p.collection.name), ['users', 'posts', 'comments']);
    assert.deepEqual(plan.levels.map((l) => l.map((p) => p.collection.name)), [['users'], ['posts'], ['comments']]);
    assert.deepEqual(plan.order[0]?.keysForChildren, ['id']);
  });

  it('reports a reference to a missing field with its line and column', () => {
    const r = parseGraph(`${header}      - name: users
        primary_key: [id]
        fields:
          - { name: id, identity: account_id }
      - name: posts
        primary_key: [id]
        fields:
          - { name: id }
          - { name: user_id, references: users.uid }
`, 'g.yaml');
    assert.equal(r.ok, false);
    const issue = r.ok ? undefined : r.issues[0];
    assert.equal(issue?.rule, 'graph-missing-reference');
    assert.equal(issue?.line, 14);
    assert.match(issue?.message ?? '', /"users" has no field "uid"/);
  });

  it('refuses a database URL written in the file, pointing at the key', () => {
    const r = parseGraph(`mamori_graph: 1
datasets:
  - id: app
    connection: { kind: postgres, url: "postgres://u:p@db/app" }
    collections: []
`, 'g.yaml');
    assert.equal(r.ok, false);
    const messages = r.ok ? '' : r.issues.map((i) => `${i.line}:${i.message}`).join('\n');
    assert.match(messages, /4:unknown key "url"/);
  });

  it('reports cycles of followed references and leaves those collections out', () => {
    const path = writeGraph(`${header}      - name: users
        primary_key: [id]
        fields: [{ name: id, identity: account_id }, { name: email, category: email }]
      - name: a
        primary_key: [id]
        fields: [{ name: id, references: b.id }]
      - name: b
        primary_key: [id]
        fields: [{ name: id, references: a.id }]
`);
    const issues = lintGraphFile(path, misskeyPolicy());
    const cycle = issues.find((i) => i.rule === 'graph-cycle');
    assert.ok(cycle);
    assert.match(cycle.message, /a → b → a/);
    assert.equal(cycle.line, 9);
  });

  it('reports unreachable collections, unknown categories and categories the policy does not declare', () => {
    const path = writeGraph(`${header}      - name: users
        primary_key: [id]
        fields: [{ name: id, identity: account_id }, { name: email, category: email }, { name: pay, category: payment_card }, { name: x, category: shoe_size }]
      - name: orphans
        primary_key: [id]
        fields: [{ name: id }]
`);
    const issues = lintGraphFile(path, misskeyPolicy());
    const rules = issues.map((i) => `${i.rule}:${i.line}`).sort();
    assert.deepEqual(rules, ['graph-undeclared-category:8', 'graph-unknown-category:8', 'graph-unreachable:9']);
    assert.match(issues.find((i) => i.rule === 'graph-undeclared-category')?.message ?? '', /payment_card/);
  });
});
