import { parseArgs } from 'node:util';
import { lintGraphFile } from '../../connectors/graph-lint.ts';
import { formatIssues, loadPolicyFile, type PolicyIssue } from '../../policy/load-policy.ts';
import { lintPolicy } from '../../policy/lint.ts';
import type { Command } from '../main.ts';

const HELP = `usage: mamori lint <policy.yaml> [--graph <datasets.yaml>] [--format text|json]

Checks a policy file against APPI (and the file's own consistency). Prints one line per finding:
  file:line:col rule message            (warnings are marked "(warning)")

Options:
  --graph <file>   also check a dataset graph against the policy
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
    options: { graph: { type: 'string' }, format: { type: 'string', default: 'text' }, help: { type: 'boolean', short: 'h' } },
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
  const [file, ...extra] = positionals;
  if (!file || extra.length > 0) {
    console.error(`mamori lint: ${file ? `one policy file at a time (got ${positionals.length})` : 'name the policy file to check'}\n\n${HELP}`);
    return 2;
  }

  const loaded = loadPolicyFile(file);
  let issues: PolicyIssue[];
  if (!loaded.ok) {
    issues = loaded.issues;
    if (issues.some((i) => i.rule === 'io')) {
      report(format, file, issues);
      return 2;
    }
  } else {
    issues = lintPolicy(loaded.loaded);
    if (values.graph !== undefined) issues = [...issues, ...lintGraphFile(values.graph, loaded.loaded.policy)];
  }
  report(format, file, issues);
  return issues.some((i) => i.severity === 'error') ? 1 : 0;
};

function report(format: Format, file: string, issues: PolicyIssue[]): void {
  const errors = issues.filter((i) => i.severity === 'error').length;
  const warnings = issues.length - errors;
  switch (format) {
    case 'json':
      console.log(JSON.stringify({ file, ok: errors === 0, errors, warnings, issues }, null, 2));
      return;
    case 'text':
      if (issues.length > 0) console.log(formatIssues(issues));
      // The summary goes to stderr so that stdout stays one finding per line for editors and grep.
      console.error(errors + warnings === 0 ? `${file}: no problems found` : `${file}: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}`);
      return;
    default: {
      const unreachable: never = format;
      throw new Error(`unknown format ${String(unreachable)}`);
    }
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
