import { parseArgs } from 'node:util';
import { lintGraphFile } from '../../connectors/graph-lint.ts';
import { formatIssues, loadPolicyFile, type PolicyIssue } from '../../policy/load-policy.ts';
import { lintPolicyReport } from '../../policy/lint.ts';
import { appiLintRules } from '../../law/appi/lint-rules.ts';
import type { Command } from '../command.ts';

const HELP = `usage: mamori lint <policy.yaml> [--graph <datasets.yaml>] [--format text|json]
       mamori lint --rules [--format text|json]

Checks a policy file against APPI (and the file's own consistency). Prints one line per finding:
  file:line:col rule message            (warnings are marked "(warning)")

A warning can be accepted by a comment on its line or the line above, with a reason:
  # mamori-lint accept appi-37-operator-grounds: each case is an instance of 34条
Errors cannot be accepted.

Options:
  --graph <file>   also check a dataset graph against the policy
  --rules          list every rule (id, severity, article, summary)
  --format <f>     text (default) or json
  -h, --help       show this help

Exit status: 0 clean or warnings only, 1 on any error (schema or lint), 2 on usage errors or an unreadable file.`;

const formats = ['text', 'json'] as const;
type Format = (typeof formats)[number];

function isFormat(value: string): value is Format {
  return (formats as readonly string[]).includes(value);
}

/**
 * `mamori lint <file> [--graph <datasets.yaml>] [--format text|json]`.
 * @example node bin/mamori.js lint examples/hosting/policy.yaml --format json
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
  const [file, ...extra] = positionals;
  if (!file || extra.length > 0) {
    console.error(`mamori lint: ${file ? `one policy file at a time (got ${positionals.length})` : 'name the policy file to check'}\n\n${HELP}`);
    return 2;
  }

  const loaded = loadPolicyFile(file);
  let issues: PolicyIssue[];
  let accepted = 0;
  if (!loaded.ok) {
    issues = loaded.issues;
    if (issues.some((i) => i.rule === 'io')) {
      report(format, file, issues, 0);
      return 2;
    }
  } else {
    const result = lintPolicyReport(loaded.loaded);
    issues = result.issues;
    accepted = result.accepted.length;
    if (values.graph !== undefined) issues = [...issues, ...lintGraphFile(values.graph, loaded.loaded.policy)];
  }
  report(format, file, issues, accepted);
  return issues.some((i) => i.severity === 'error') ? 1 : 0;
};

function report(format: Format, file: string, issues: PolicyIssue[], accepted: number): void {
  const errors = issues.filter((i) => i.severity === 'error').length;
  const warnings = issues.length - errors;
  switch (format) {
    case 'json':
      console.log(JSON.stringify({ file, ok: errors === 0, errors, warnings, accepted, issues }, null, 2));
      return;
    case 'text': {
      if (issues.length > 0) console.log(formatIssues(issues));
      // The summary goes to stderr so that stdout stays one finding per line for editors and grep.
      const acceptedNote = accepted > 0 ? ` (${plural(accepted, 'accepted warning')} not shown)` : '';
      console.error(errors + warnings === 0 ? `${file}: no problems found${acceptedNote}` : `${file}: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}${acceptedNote}`);
      return;
    }
    default: {
      const unreachable: never = format;
      throw new Error(`unknown format ${String(unreachable)}`);
    }
  }
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
