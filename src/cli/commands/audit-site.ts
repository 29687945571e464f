import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Command } from '../command.ts';
import { formatIssues, loadPolicyFile } from '../../policy/load-policy.ts';
import { runSiteAudit } from '../../site-audit/run-site-audit.ts';
import { siteAuditHtml, siteAuditText } from '../../site-audit/site-audit-report.ts';

const HELP = `usage: mamori audit-site <url>… [--policy policy.yaml] [--pages N] [--format text|json|html] [--out FILE]

Opens the pages in Chromium (headless) and follows same-site links up to N pages, in four passes: before any
choice, after reject-all, after accept-all, and with Global Privacy Control on. Records every request to another
site, the cookies and storage that appear and who set them, maps hosts to the policy's declared transmissions
(外部送信, 電気通信事業法27条の12) and the tool catalog, and reports:
  undeclared_transmission  a host the policy does not declare (when the service is in scope)
  before_consent           a tool whose purpose needs consent sent before any choice
  after_reject             a tool needing consent or offering an opt-out sent after reject-all
  cookie_after_reject      a cookie the policy does not call necessary appeared after reject-all
  gpc_not_honoured         an advertising tool sent with GPC on
  declared_not_seen        a declared transmission never seen, even after accept-all
  choice_not_found         the reject-all / accept-all control was not found

Options:
  --policy <file>          the policy to check against (without it, the tool catalog's defaults)
  --pages <n>              pages per pass (default 10)
  --format <f>             text (default), json or html
  --out <file>             write the report there instead of stdout
  --reject-selector <css>  the reject-all control (default: mamori's consent.js banner)
  --accept-selector <css>  the accept-all control (default: mamori's consent.js banner)
  --own-host <host>        a host of the operator on another site (repeatable); mamori's consent.js host is known
  --chromium <path>        Chromium binary (default $MAMORI_CHROMIUM or /usr/bin/chromium)
  --host-rules <rules>     Chromium --host-resolver-rules (e.g. for a staging copy)
  --settle-ms <ms>         how long to let each page's network settle (default 1500)

Exit status: 0 no findings, 1 findings (run it in CI), 2 usage errors.`;

/**
 * `mamori audit-site <url>… [--policy policy.yaml] [--pages N] [--format json|html]`.
 * @example node bin/mamori.js audit-site https://www.example.jp/ --policy policy.yaml --pages 20 --format html --out audit.html
 */
export const auditSiteCommand: Command = async (argv) => {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      policy: { type: 'string' },
      pages: { type: 'string', default: '10' },
      format: { type: 'string', default: 'text' },
      out: { type: 'string', short: 'o' },
      'reject-selector': { type: 'string' },
      'accept-selector': { type: 'string' },
      'own-host': { type: 'string', multiple: true },
      chromium: { type: 'string' },
      'host-rules': { type: 'string' },
      'settle-ms': { type: 'string' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length === 0) {
    console.error(HELP);
    return 2;
  }
  const format = values.format;
  if (format !== 'text' && format !== 'json' && format !== 'html') {
    console.error(`mamori audit-site: --format must be text, json or html (got "${format}")`);
    return 2;
  }
  const pages = Number(values.pages);
  if (!Number.isInteger(pages) || pages < 1 || pages > 10_000) {
    console.error(`mamori audit-site: --pages must be a whole number from 1 (got "${values.pages}")`);
    return 2;
  }
  const settleMs = values['settle-ms'] === undefined ? undefined : Number(values['settle-ms']);
  if (settleMs !== undefined && (!Number.isInteger(settleMs) || settleMs < 0)) {
    console.error(`mamori audit-site: --settle-ms must be a whole number of milliseconds (got "${values['settle-ms']}")`);
    return 2;
  }
  let policy;
  if (values.policy) {
    const loaded = loadPolicyFile(values.policy);
    if (!loaded.ok) {
      console.error(formatIssues(loaded.issues));
      return 2;
    }
    policy = loaded.loaded.policy;
  }
  const result = await runSiteAudit({
    urls: positionals,
    ...(policy ? { policy, policyFile: values.policy } : {}),
    maxPages: pages,
    ...(values['reject-selector'] ? { rejectSelector: values['reject-selector'] } : {}),
    ...(values['accept-selector'] ? { acceptSelector: values['accept-selector'] } : {}),
    ownHosts: values['own-host'] ?? [],
    ...(values.chromium ? { chromiumPath: values.chromium } : {}),
    chromiumArgs: values['host-rules'] ? [`--host-resolver-rules=${values['host-rules']}`] : [],
    ...(settleMs !== undefined ? { settleMs } : {}),
  });
  const output = format === 'json' ? `${JSON.stringify(result, null, 2)}\n` : format === 'html' ? siteAuditHtml(result) : siteAuditText(result);
  if (values.out) {
    writeFileSync(values.out, output);
    if (format !== 'text') process.stderr.write(siteAuditText(result));
  } else process.stdout.write(output);
  return result.findings.length > 0 ? 1 : 0;
};
