import type { PolicyIssue } from '../policy/load-policy.ts';
import type { Policy } from '../policy/schema.ts';
import { loadGraphFile, type LoadedGraph } from './load-graph.ts';
import { isSqlDataset, isTaxonomyKey } from './graph-schema.ts';
import { planDataset } from './graph-plan.ts';

/**
 * Lints a dataset graph file against the policy (`mamori lint --graph`): shape and references (line:col), unknown
 * categories, unreachable collections, reference cycles, and categories the graph holds but the policy does not declare.
 * @example const issues = lintGraphFile('examples/misskey-server/datasets.yaml', policy);
 */
export function lintGraphFile(path: string, policy: Policy): PolicyIssue[] {
  const r = loadGraphFile(path);
  if (!r.ok) return r.issues;
  return lintGraph(r.loaded, policy);
}

export function lintGraph(loaded: LoadedGraph, policy: Policy): PolicyIssue[] {
  const issues: PolicyIssue[] = [];
  const add = (rule: string, severity: 'error' | 'warning', path: Array<string | number>, message: string) => issues.push({ file: loaded.file, ...loaded.locate(path), rule, severity, message, path });
  const declared = new Set(policy.data.map((d) => d.category));
  const checkCategory = (category: string, path: Array<string | number>) => {
    if (!isTaxonomyKey(category)) add('graph-unknown-category', 'error', path, `unknown data category "${category}": use a key of the taxonomy (e.g. email, account_id, user_content)`);
    else if (!declared.has(category)) add('graph-undeclared-category', 'error', path, `the graph holds "${category}" data but the policy's \`data\` does not declare it: add a data item with category ${category} to the policy`);
  };
  loaded.graph.datasets.forEach((ds, di) => {
    ds.categories.forEach((c, i) => checkCategory(c, ['datasets', di, 'categories', i]));
    ds.collections.forEach((c, ci) => {
      if (c.review) add('graph-review', 'warning', ['datasets', di, 'collections', ci, 'review'], `"${c.name}": ${c.review}`);
      c.fields.forEach((f, fi) => {
        if (f.category) checkCategory(f.category, ['datasets', di, 'collections', ci, 'fields', fi, 'category']);
        if (f.review) add('graph-review', 'warning', ['datasets', di, 'collections', ci, 'fields', fi, 'review'], `"${c.name}.${f.name}": ${f.review}`);
      });
    });
    if (!isSqlDataset(ds)) return;
    const plan = planDataset(ds);
    for (const cycle of plan.cycles) {
      const ci = ds.collections.findIndex((c) => c.name === cycle[0]);
      add('graph-cycle', 'error', ['datasets', di, 'collections', ci], `reference cycle ${cycle.join(' → ')}: mark one reference \`follow: false\``);
    }
    for (const cycle of plan.orderingCycles) {
      const ci = ds.collections.findIndex((c) => c.name === cycle[0]);
      add('graph-ordering-cycle', 'warning', ['datasets', di, 'collections', ci], `references ${cycle.join(' → ')} form a cycle: erasure follows only the followed references; use masking where a foreign key would block deletion`);
    }
    for (const name of plan.unreachable) {
      if (plan.cycles.some((c) => c.includes(name))) continue;
      const ci = ds.collections.findIndex((c) => c.name === name);
      add('graph-unreachable', 'error', ['datasets', di, 'collections', ci, 'name'], `collection "${name}" is not reachable from any identity field: add \`identity\` to a field or a followed reference`);
    }
  });
  return issues;
}
