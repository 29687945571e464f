import { readFileSync } from 'node:fs';
import { readYamlWithPositions } from '../policy/yaml-source.ts';
import type { PolicyIssue } from '../policy/load-policy.ts';
import { graphSchema, type DatasetGraph } from './graph-schema.ts';

export interface LoadedGraph {
  file: string;
  graph: DatasetGraph;
  /** Where a path of the file starts (nearest existing parent, then 1:1). */
  locate(path: ReadonlyArray<string | number>): { line: number; col: number };
}

export type GraphLoadResult = { ok: true; loaded: LoadedGraph } | { ok: false; issues: PolicyIssue[] };

/**
 * Parses and validates a dataset graph. Shape errors and broken references come back as issues with file, line
 * and column.
 * @example const r = parseGraph(text, 'datasets.yaml'); if (!r.ok) console.log(formatIssues(r.issues));
 */
export function parseGraph(source: string, file: string): GraphLoadResult {
  const read = readYamlWithPositions(source);
  if (!read.ok) {
    return { ok: false, issues: read.errors.map((e) => ({ file, line: e.line, col: e.col, rule: 'yaml', severity: 'error' as const, message: `YAML syntax: ${e.message}`, path: [] })) };
  }
  const { locate } = read;
  const data: unknown = read.data;
  const parsed = graphSchema.safeParse(data ?? {});
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((issue) => {
        const path = issue.path.filter((x): x is string | number => typeof x === 'string' || typeof x === 'number');
        const at = issue.code === 'unrecognized_keys' ? [...path, issue.keys[0] ?? ''] : path;
        const where = path.map((x) => (typeof x === 'number' ? `[${x}]` : `.${x}`)).join('').replace(/^\./, '') || '(top level)';
        const message = issue.code === 'unrecognized_keys' ? `unknown key "${issue.keys.join('", "')}" in ${where}: remove it or check its spelling` : `${where}: ${issue.message}`;
        return { file, ...locate(at), rule: 'schema', severity: 'error' as const, message, path: at };
      }),
    };
  }
  const loaded: LoadedGraph = { file, graph: parsed.data, locate };
  const issues = structuralIssues(loaded);
  return issues.length > 0 ? { ok: false, issues } : { ok: true, loaded };
}

export function loadGraphFile(path: string): GraphLoadResult {
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch (err) {
    const code = err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : 'error';
    return { ok: false, issues: [{ file: path, line: 1, col: 1, rule: 'io', severity: 'error', message: `cannot read the file: ${code}`, path: [] }] };
  }
  return parseGraph(source, path);
}

/** References to missing collections/fields, duplicate names, keys or mask fields that do not exist. */
function structuralIssues(loaded: LoadedGraph): PolicyIssue[] {
  const issues: PolicyIssue[] = [];
  const add = (rule: string, path: Array<string | number>, message: string) => issues.push({ file: loaded.file, ...loaded.locate(path), rule, severity: 'error', message, path });
  const datasetIds = new Set<string>();
  loaded.graph.datasets.forEach((ds, di) => {
    if (datasetIds.has(ds.id)) add('graph-duplicate', ['datasets', di, 'id'], `dataset "${ds.id}" is declared twice`);
    datasetIds.add(ds.id);
    const sql = ds.connection.kind === 'postgres' || ds.connection.kind === 'mysql' || ds.connection.kind === 'sqlite';
    if (!sql && ds.collections.length > 0) add('graph-collections-on-non-sql', ['datasets', di, 'collections'], `dataset "${ds.id}" is a ${ds.connection.kind} system: list its data in "categories", not collections`);
    if (sql && ds.collections.length === 0) add('graph-empty-dataset', ['datasets', di, 'connection'], `dataset "${ds.id}" has no collections: list the tables that hold personal data`);
    const byName = new Map(ds.collections.map((c) => [c.name, c]));
    if (byName.size !== ds.collections.length) add('graph-duplicate', ['datasets', di, 'collections'], `dataset "${ds.id}" declares a collection twice`);
    ds.collections.forEach((c, ci) => {
      const fieldNames = new Set(c.fields.map((f) => f.name));
      const base = ['datasets', di, 'collections', ci];
      if (fieldNames.size !== c.fields.length) add('graph-duplicate', [...base, 'fields'], `collection "${c.name}" declares a field twice`);
      c.primary_key.forEach((k, ki) => {
        if (!fieldNames.has(k)) add('graph-missing-field', [...base, 'primary_key', ki], `primary key "${k}" of "${c.name}" is not among its fields: declare it`);
      });
      c.fields.forEach((f, fi) => {
        if (!f.references) return;
        const [target, targetField] = f.references.split('.');
        const tc = byName.get(target ?? '');
        if (!tc) add('graph-missing-reference', [...base, 'fields', fi, 'references'], `"${c.name}.${f.name}" references collection "${target}", which dataset "${ds.id}" does not declare`);
        else if (!tc.fields.some((x) => x.name === targetField)) add('graph-missing-reference', [...base, 'fields', fi, 'references'], `"${c.name}.${f.name}" references "${f.references}", but "${target}" has no field "${targetField}"`);
      });
      c.withhold.forEach((w, wi) => {
        for (const name of [w.field, ...w.hide]) if (!fieldNames.has(name)) add('graph-missing-field', [...base, 'withhold', wi], `withheld field "${name}" is not a field of "${c.name}"`);
      });
      if (c.erase.action === 'mask') {
        for (const name of Object.keys(c.erase.fields)) {
          if (!fieldNames.has(name)) add('graph-missing-field', [...base, 'erase', 'fields', name], `mask field "${name}" is not a field of "${c.name}"`);
          if (c.primary_key.includes(name)) add('graph-mask-key', [...base, 'erase', 'fields', name], `"${c.name}.${name}" is part of the primary key and cannot be masked`);
        }
      }
    });
    if (ds.suspension) {
      const c = byName.get(ds.suspension.collection);
      if (!c) add('graph-missing-reference', ['datasets', di, 'suspension', 'collection'], `suspension collection "${ds.suspension.collection}" is not declared`);
      else if (!c.fields.some((f) => f.name === ds.suspension?.field)) add('graph-missing-field', ['datasets', di, 'suspension', 'field'], `suspension flag "${ds.suspension.field}" is not a field of "${c.name}"`);
    }
  });
  return issues;
}
