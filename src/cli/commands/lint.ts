import { parseArgs } from 'node:util';
import { lintGraphFile } from '../../connectors/graph-lint.ts';
import { formatIssues, loadPolicyFile, type PolicyIssue } from '../../policy/load-policy.ts';
import { lintPolicyReport } from '../../policy/lint.ts';
import { appiLintRules } from '../../law/appi/lint-rules.ts';
import type { Command } from '../command.ts';

const HELP = `usage: mamori lint <policy.yaml>... [--graph <datasets.yaml>] [--format text|json]
       mamori lint --rules [--format text|json]

Checks policy files against APPI (and each file's own consistency). Prints one line per finding:
  file:line:col rule message            (warnings are marked "(warning)")

A warning can be accepted by a comment on its line or the line above, with a reason:
  # mamori-lint accept appi-37-operator-grounds: each case is an instance of 34条
Errors cannot be accepted.

Options:
  --graph <file>   also check a dataset graph against the policy (with one policy file)
  --rules          list every rule (id, severity, article, summary)
  --format <f>     text (default) or json (one report per file; several files give a JSON array)
  -h, --help       show this help

Exit status: 0 clean or warnings only, 1 on any error (schema or lint) in any file, 2 on usage errors or an
unreadable file.`;

const formats = ['text', 'json'] as const;
type Format = (typeof formats)[number];

function isFormat(value: string): value is Format {
  return (formats as readonly string[]).includes(value);
}

/**
 * `mamori lint <file>... [--graph <datasets.yaml>] [--format text|json]`.
 * @example node bin/mamori.js lint examples/hosting/policy.yaml examples/misskey-server/policy.yaml
 */
export const lintCommand: Command = async (argv) => {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { graph: { type: 'string' }, format: { type: 'string', default: 'text' }, rules: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const format = values.format ?? 'text';
  if (!isFormat(format)) {
    console.error(`mamori lint: --format must be text or json, not "${format}"\n\n${HELP}`);
    return 2;
  }
  if (values.rules) {
    listRules(format);
    return 0;
  }
  if (positionals.length === 0) {
    console.error(`mamori lint: name the policy file to check\n\n${HELP}`);
    return 2;
  }
  if (values.graph !== undefined && positionals.length > 1) {
    console.error(`mamori lint: --graph checks one dataset graph against one policy (got ${positionals.length} policy files)`);
    return 2;
  }
  const reports = positionals.map((file) => lintFile(file, values.graph));
  switch (format) {
    case 'json': {
      const json = reports.map(jsonReport);
      console.log(JSON.stringify(json.length === 1 ? json[0] : json, null, 2));
      break;
    }
    case 'text':
      for (const r of reports) printText(r);
      break;
    default: {
      const unreachable: never = format;
      throw new Error(`unknown format ${String(unreachable)}`);
    }
  }
  return Math.max(...reports.map((r) => r.exitCode));
};

interface FileReport {
  file: string;
  issues: PolicyIssue[];
  accepted: number;
  /** 0 clean or warnings only, 1 errors, 2 unreadable. */
  exitCode: number;
}

function lintFile(file: string, graph: string | undefined): FileReport {
  const loaded = loadPolicyFile(file);
  if (!loaded.ok) {
    const unreadable = loaded.issues.some((i) => i.rule === 'io');
    return { file, issues: loaded.issues, accepted: 0, exitCode: unreadable ? 2 : 1 };
  }
  const result = lintPolicyReport(loaded.loaded);
  const issues = graph !== undefined ? [...result.issues, ...lintGraphFile(graph, loaded.loaded.policy)] : result.issues;
  return { file, issues, accepted: result.accepted.length, exitCode: issues.some((i) => i.severity === 'error') ? 1 : 0 };
}

function jsonReport({ file, issues, accepted }: FileReport) {
  const errors = issues.filter((i) => i.severity === 'error').length;
  return { file, ok: errors === 0, errors, warnings: issues.length - errors, accepted, issues };
}

function printText({ file, issues, accepted }: FileReport): void {
  const errors = issues.filter((i) => i.severity === 'error').length;
  const warnings = issues.length - errors;
  if (issues.length > 0) console.log(formatIssues(issues));
  // The summary goes to stderr so that stdout stays one finding per line for editors and grep.
  const acceptedNote = accepted > 0 ? ` (${plural(accepted, 'accepted warning')} not shown)` : '';
  console.error(errors + warnings === 0 ? `${file}: no problems found${acceptedNote}` : `${file}: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}${acceptedNote}`);
}

function listRules(format: Format): void {
  const rules = appiLintRules.map((r) => ({ id: r.id, severity: r.severity, article: r.article, summary: r.summary }));
  switch (format) {
    case 'json':
      console.log(JSON.stringify(rules, null, 2));
      return;
    case 'text': {
      const width = Math.max(...rules.map((r) => r.id.length));
      console.log(rules.map((r) => `${r.id.padEnd(width)}  ${r.severity.padEnd(7)}  ${r.article}  ${r.summary.ja} / ${r.summary.en}`).join('\n'));
      return;
    }
    default: {
      const unreachable: never = format;
      throw new Error(`unknown format ${String(unreachable)}`);
    }
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
