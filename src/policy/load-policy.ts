import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isMap, isSeq, isScalar, type Node } from 'yaml';
import type { z } from 'zod';
import { policySchema, type Policy, type Text } from './schema.ts';

/** A problem in a policy file, located to line and column (1-based). */
export interface PolicyIssue {
  file: string;
  line: number;
  col: number;
  /** `schema` for shape errors, `yaml` for syntax, or a lint rule id such as `appi-32-operator-address`. */
  rule: string;
  severity: 'error' | 'warning';
  message: string;
  path: Array<string | number>;
}

export interface LoadedPolicy {
  file: string;
  source: string;
  policy: Policy;
  /** Where a path of the file starts (falls back to the nearest existing parent, then 1:1). */
  locate(path: ReadonlyArray<string | number>): { line: number; col: number };
}

export type LoadResult = { ok: true; loaded: LoadedPolicy } | { ok: false; issues: PolicyIssue[] };

/**
 * Parses and validates a policy. Unknown keys, wrong types and bad dates come back as issues that name the file,
 * line and column and say how to fix them.
 * @example const r = parsePolicy(yamlText, 'policy.yaml'); if (!r.ok) console.log(formatIssues(r.issues));
 */
export function parsePolicy(source: string, file: string): LoadResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const pos = (offset: number) => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, col: p.col };
  };
  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((e) => ({ file, ...pos(e.pos[0]), rule: 'yaml', severity: 'error' as const, message: `YAML syntax: ${e.message.split('\n')[0]}`, path: [] })),
    };
  }
  const locate = (path: ReadonlyArray<string | number>) => {
    const p = [...path];
    while (p.length > 0) {
      const node = doc.getIn(p, true) as Node | undefined;
      const pair = findKeyNode(doc.contents as Node | null, p);
      const range = pair?.range ?? (node && 'range' in node ? node.range : undefined);
      if (range) return pos(range[0]);
      p.pop();
    }
    return { line: 1, col: 1 };
  };
  const data: unknown = doc.toJS();
  const parsed = policySchema.safeParse(data ?? {});
  if (!parsed.success) {
    return { ok: false, issues: parsed.error.issues.map((issue) => toIssue(issue, file, locate, data)) };
  }
  return { ok: true, loaded: { file, source, policy: parsed.data, locate } };
}

export function loadPolicyFile(path: string): LoadResult {
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch (err) {
    return { ok: false, issues: [{ file: path, line: 1, col: 1, rule: 'io', severity: 'error', message: `cannot read the file: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, path: [] }] };
  }
  return parsePolicy(source, path);
}

/** For an unknown key, point at the key itself rather than its parent. */
function findKeyNode(root: Node | null, path: Array<string | number>): { range?: [number, number, number] | null } | undefined {
  let node: unknown = root;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    if (isMap(node)) {
      const pair = node.items.find((it) => isScalar(it.key) && it.key.value === seg);
      if (!pair) return undefined;
      if (i === path.length - 1) return isScalar(pair.key) ? { range: pair.key.range ?? null } : undefined;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
      if (i === path.length - 1) return node && typeof node === 'object' && 'range' in node ? { range: (node as { range?: [number, number, number] }).range ?? null } : undefined;
    } else return undefined;
  }
  return undefined;
}

function describePath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('') || '(top level)';
}

function toIssue(issue: z.core.$ZodIssue, file: string, locate: LoadedPolicy['locate'], data: unknown): PolicyIssue {
  const path = issue.path.filter((p): p is string | number => typeof p === 'string' || typeof p === 'number');
  let message: string;
  let at = path;
  switch (issue.code) {
    case 'unrecognized_keys': {
      const key = issue.keys[0] ?? '?';
      at = [...path, key];
      message = `unknown key "${issue.keys.join('", "')}" in ${describePath(path)}: remove it or check its spelling against the schema`;
      break;
    }
    case 'invalid_type': {
      const present = valueAt(data, path) !== undefined;
      message = present
        ? `${describePath(path)} must be ${expectedName(issue.expected)}`
        : `${describePath(path)} is required: add it (${expectedName(issue.expected)})`;
      break;
    }
    case 'invalid_value':
      message = `${describePath(path)} must be one of: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
      break;
    case 'too_small':
      message = `${describePath(path)} ${issue.origin === 'array' ? `needs at least ${String(issue.minimum)} entr${issue.minimum === 1 ? 'y' : 'ies'}` : issue.origin === 'string' ? 'must not be empty' : `must be at least ${String(issue.minimum)}`}`;
      break;
    case 'too_big':
      message = `${describePath(path)} must be at most ${String(issue.maximum)}`;
      break;
    case 'invalid_union':
      message = `${describePath(path)} must be text, or an object with "ja" and "en" texts`;
      break;
    default:
      message = `${describePath(path)}: ${issue.message}`;
  }
  return { file, ...locate(at), rule: 'schema', severity: 'error', message, path: at };
}

function expectedName(expected: string): string {
  switch (expected) {
    case 'string': return 'text';
    case 'number': return 'a number';
    case 'boolean': return 'true or false';
    case 'array': return 'a list';
    case 'object': return 'a mapping of keys';
    default: return expected;
  }
}

function valueAt(data: unknown, path: Array<string | number>): unknown {
  let cur: unknown = data;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur;
}

/** `file:line:col rule message` lines, as printed by `mamori lint`. */
export function formatIssues(issues: PolicyIssue[]): string {
  return issues.map((i) => `${i.file}:${i.line}:${i.col} ${i.rule}${i.severity === 'warning' ? ' (warning)' : ''} ${i.message}`).join('\n');
}

/** The text in one language. */
export function localize(value: Text, lang: 'ja' | 'en'): string {
  return typeof value === 'string' ? value : value[lang];
}
