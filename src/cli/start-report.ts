import type { PolicyIssue } from '../policy/load-policy.ts';
import { formatIssues } from '../policy/load-policy.ts';
import type { DemoPerson } from '../demo/misskey-demo.ts';

/** What `mamori serve` tells the operator once it listens. Facts only; the caller gathers them. */
export interface StartFacts {
  policyFile: string;
  baseUrl: string;
  listenUrl: string;
  staffAccounts: number;
  smtpConfigured: boolean;
  /** Lint warnings the policy does not accept (errors stop the start before this). */
  warnings: PolicyIssue[];
  graph: { kind: 'none' } | { kind: 'operator'; path: string } | { kind: 'demo'; path: string; databaseFile: string; created: boolean; people: readonly DemoPerson[] };
}

/**
 * The start-up message: where each page is, what is still missing (a staff account, SMTP), the demo's people when
 * the demo runs, and the policy's lint warnings.
 * @example console.log(startReport({ policyFile: 'policy.yaml', baseUrl, listenUrl, staffAccounts: 0, smtpConfigured: false, warnings: [], graph: { kind: 'none' } }));
 */
export function startReport(f: StartFacts): string {
  const lines = [
    `mamori is serving ${f.policyFile} at ${f.baseUrl} (listening on ${f.listenUrl})`,
    '',
    `  published policy  ${f.baseUrl}/privacy   (English: ${f.baseUrl}/privacy?lang=en)`,
    `  privacy center    ${f.baseUrl}/privacy-center`,
    `  staff console     ${f.baseUrl}/console`,
    '',
  ];
  if (f.staffAccounts === 0) {
    lines.push('No staff account yet. Create the first one (it prints a password) with:', '  node bin/mamori.js user add --email you@example.jp --role admin', '');
  }
  if (!f.smtpConfigured) {
    lines.push(
      'Warning: SMTP_URL is not set, so no mail is sent: email codes and notices wait in the outbox until it is',
      '  (e.g. SMTP_URL=smtp://user:pass@mail.example.jp:587).',
      '',
    );
  }
  switch (f.graph.kind) {
    case 'none':
      lines.push('Connectors: no dataset graph (--graph or MAMORI_GRAPH), so requests are gathered and carried out by hand.', '');
      break;
    case 'operator':
      lines.push(`Connectors: dataset graph ${f.graph.path}.`, '');
      break;
    case 'demo':
      lines.push(
        `DEMO: connectors use a made-up Misskey database, ${f.graph.databaseFile}${f.graph.created ? ' (created now)' : ''},`,
        `  described by ${f.graph.path}. Give your own graph with --graph or MAMORI_GRAPH instead.`,
        `  Demo people: ${f.graph.people.map((p) => p.email).join(', ')}`,
        '  File a request as one of them at /privacy-center; their mail (with the email code) is printed here.',
        '',
      );
      break;
    default: {
      const unreachable: never = f.graph;
      throw new Error(`unknown graph ${JSON.stringify(unreachable)}`);
    }
  }
  if (f.warnings.length > 0) {
    lines.push(`The policy has ${f.warnings.length} lint warning${f.warnings.length === 1 ? '' : 's'} (accept one with a \`# mamori-lint accept <rule>: <reason>\` comment):`, formatIssues(f.warnings), '');
  }
  lines.push('Press Ctrl+C to stop.');
  return lines.join('\n');
}
