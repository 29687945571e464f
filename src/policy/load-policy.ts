import { readFileSync } from 'node:fs';
import { readYamlWithPositions } from './yaml-source.ts';
import { z } from 'zod';
import { policySchema, type Policy, type Text } from './schema.ts';

/** A problem in a policy file, located to line and column (1-based). */
export interface PolicyIssue {
  file: string;
  line: number;
  col: number;
  /** `schema` for shape errors, `yaml` for syntax, or a lint rule id such as `appi-32-operator-address`. */
  rule: string;
  /** The article a lint rule encodes (e.g. `38条1項`), when the issue comes from a lint rule. */
  article?: string;
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
  const read = readYamlWithPositions(source);
  if (!read.ok) {
    return {
      ok: false,
      issues: read.errors.map((e) => ({ file, line: e.line, col: e.col, rule: 'yaml', severity: 'error' as const, message: `YAML syntax: ${e.message}${yamlHint(e.code, source.slice(e.offset))}`, path: [] })),
    };
  }
  const { locate } = read;
  const data: unknown = read.data;
  if (data === null || data === undefined || typeof data !== 'object' || Array.isArray(data)) {
    const what = data === null || data === undefined ? 'the file is empty' : 'the file must be a mapping of keys (mamori: 1, service: …, operator: …)';
    return { ok: false, issues: [{ file, line: 1, col: 1, rule: 'schema', severity: 'error', message: `${what}: start from \`mamori init\`, which writes a commented starter policy`, path: [] }] };
  }
  const parsed = policySchema.safeParse(data);
  if (!parsed.success) {
    return { ok: false, issues: withoutFollowOnIssues(parsed.error.issues).map((issue) => toIssue(issue, file, locate, data)) };
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

/** A fix for the YAML mistakes people make most in a policy file. */
function yamlHint(code: string, rest: string): string {
  switch (code) {
    case 'DUPLICATE_KEY': {
      const key = /^([^:\n]+):/.exec(rest)?.[1]?.trim();
      return key ? ` ("${key}" appears twice in this mapping: keep one, or merge the two)` : '';
    }
    case 'TAB_AS_INDENT':
      return ' (indent with spaces)';
    default:
      return '';
  }
}

/** A value with a bad format (e.g. a date not written YYYY-MM-DD) needs one message, not also "does not exist". */
function withoutFollowOnIssues(issues: z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  const formatAt = new Set(issues.filter((i) => i.code === 'invalid_format').map((i) => JSON.stringify(i.path)));
  return issues.filter((i) => i.code !== 'custom' || !formatAt.has(JSON.stringify(i.path)));
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
      const allowed = allowedKeysAt(path);
      const hints = issue.keys.map((k) => didYouMean(k, allowed)).filter((h): h is string => h !== undefined);
      const isText = allowed.length === 2 && allowed.includes('ja') && allowed.includes('en');
      const fix = hints.length > 0
        ? `did you mean "${hints.join('", "')}"?`
        : isText
          ? 'a text object holds only ja and en; if the text has a comma inside { … }, put the text in quotes'
          : allowed.length > 0 ? `allowed keys here: ${allowed.join(', ')}` : 'remove it';
      message = `unknown key "${issue.keys.join('", "')}" in ${describePath(path)}: ${fix}`;
      break;
    }
    case 'invalid_type': {
      const present = valueAt(data, path) !== undefined;
      message = present
        ? `${describePath(path)} must be ${expectedName(issue.expected)}`
        : `${describePath(path)} is required: add it (${expectedName(issue.expected)})`;
      break;
    }
    case 'invalid_value': {
      const given = valueAt(data, path);
      const options = issue.values.map((v) => String(v));
      const hint = typeof given === 'string' ? didYouMean(given, options) : undefined;
      // A message the schema itself gives (e.g. for `mamori: 1`) says more than the list of values.
      message = issue.message.startsWith('Invalid')
        ? `${describePath(path)} must be one of: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}${hint ? ` (did you mean "${hint}"?)` : ''}`
        : `${describePath(path)}: ${issue.message}`;
      break;
    }
    case 'too_small': {
      const options = issue.origin === 'array' ? listOptionsAt(path) : [];
      message = `${describePath(path)} ${issue.origin === 'array' ? `needs at least ${String(issue.minimum)} entr${issue.minimum === 1 ? 'y' : 'ies'}${options.length > 0 ? ` (from: ${options.join(', ')})` : ''}` : issue.origin === 'string' ? 'must not be empty' : `must be at least ${String(issue.minimum)}`}`;
      break;
    }
    case 'too_big':
      message = `${describePath(path)} must be at most ${String(issue.maximum)}`;
      break;
    case 'invalid_union': {
      const given = valueAt(data, path);
      if (given === undefined) {
        message = `${describePath(path)} is required: add it (text, or { ja: …, en: … })`;
      } else if (given !== null && typeof given === 'object' && !Array.isArray(given)) {
        const keys = Object.keys(given);
        const missing = ['ja', 'en'].filter((k) => !keys.includes(k));
        const extra = keys.filter((k) => k !== 'ja' && k !== 'en');
        message = `${describePath(path)} must be text, or an object with "ja" and "en" texts${missing.length > 0 ? `: add ${missing.join(' and ')}` : ''}${extra.length > 0 ? `${missing.length > 0 ? ';' : ':'} remove ${extra.join(', ')}` : ''}`;
      } else {
        message = `${describePath(path)} must be text, or an object with "ja" and "en" texts`;
      }
      break;
    }
    case 'invalid_format': {
      const given = valueAt(data, path);
      const id = typeof given === 'string' && issue.format === 'regex' ? given.trim().toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '') : '';
      const hint = id !== '' && id !== given && /^[a-z][a-z0-9_]*$/.test(id) && issue.message.includes('lower-case') ? ` (did you mean "${id}"?)` : '';
      message = `${describePath(path)}: ${issue.message}${hint}`;
      break;
    }
    default:
      message = `${describePath(path)}: ${issue.message}`;
  }
  return { file, ...locate(at), rule: 'schema', severity: 'error', message, path: at };
}

/**
 * The closest candidate to a misspelled word, if one is close enough to be a likely typo.
 * @example didYouMean('adress', ['address', 'name']) // 'address'
 */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const lower = word.toLowerCase();
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  const limit = Math.max(1, Math.floor(Math.max(word.length, 3) / 3));
  return best !== undefined && bestDistance <= limit && best !== word ? best : undefined;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps each cost one. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number): number => d[i]?.[j] ?? 0;
  for (let i = 1; i <= a.length; i++) {
    const row = d[i];
    if (!row) continue;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      row[j] = best;
    }
  }
  return at(a.length, b.length);
}

/** The schema of the value at a path, with optional/default layers removed (unions resolve to their object branch). */
function schemaAt(path: ReadonlyArray<string | number>): z.ZodType | undefined {
  let node: z.ZodType | undefined = policySchema;
  for (const seg of [...path, null]) {
    for (;;) {
      if (node instanceof z.ZodOptional || node instanceof z.ZodDefault) node = node.unwrap() as z.ZodType;
      else if (node instanceof z.ZodUnion) node = (node.options as readonly z.ZodType[]).find((o) => o instanceof z.ZodObject);
      else break;
    }
    if (seg === null) break;
    if (node instanceof z.ZodArray && typeof seg === 'number') node = node.element as z.ZodType;
    else if (node instanceof z.ZodObject && typeof seg === 'string') node = node.shape[seg] as z.ZodType | undefined;
    else return undefined;
  }
  return node;
}

/** The keys the schema allows in the object at a path (for "did you mean"). */
function allowedKeysAt(path: ReadonlyArray<string | number>): string[] {
  const node = schemaAt(path);
  return node instanceof z.ZodObject ? Object.keys(node.shape) : [];
}

/** For a list of fixed values (e.g. fee.payment), the values it may hold. */
function listOptionsAt(path: ReadonlyArray<string | number>): string[] {
  const node = schemaAt(path);
  return node instanceof z.ZodArray && node.element instanceof z.ZodEnum ? node.element.options.map(String) : [];
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
