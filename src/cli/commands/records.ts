import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import type { Command } from '../main.ts';
import { systemClock } from '../../clock.ts';
import { MamoriError } from '../../errors.ts';
import { loadPolicyFile, localize } from '../../policy/load-policy.ts';
import { openCliStore } from './audit.ts';
import { purgeExpiredRecords, listProvisions, recordProvision, recordReceipt } from '../../records/provision-records.ts';
import { createIncident, getIncidentView, listIncidents, markReportSubmitted, updateIncident } from '../../records/incidents.ts';
import { breachReportText } from '../../records/breach-report-document.ts';
import { anonymizeCsv, anonymizedRecipientNotice, anonymizationJobSchema, recordAnonymizationJob } from '../../records/anonymization-job.ts';
import { computeStatistics, statisticsCsv } from '../../records/statistics.ts';
import { breachTriggerLabels } from '../../law/appi/breach.ts';
import { parseRecordInput } from '../../records/record-errors.ts';

const HELP = `usage: mamori records <subcommand> [options]

  purge                                  delete provision/receipt records past retention (leaves an audit event)
  provision add --file F.yaml            record a third-party provision (29条); YAML or JSON
  provision list [--subject ID]          list provision records
  receipt add --file F.yaml              record a receipt confirmation (30条)
  incident add --file F.yaml             record a leak incident (26条)
  incident list                          incidents with reportability and deadline state
  incident show ID                       triggers, deadlines and missing 規則8条 items
  incident fields ID --file F.yaml       fill 規則8条 report items (summary, cause, prevention …)
  incident report ID [--out F]           print the 規則8条 report draft
  incident submit ID --stage preliminary|final [--at ISO]
  anonymize --input data.csv --config job.yaml --out anon.csv [--recipient NAME] [--no-record]
                                         make 匿名加工情報: drop identifiers, generalize, enforce k; publish the item list
  stats [--k 10] [--csv] [--from ISO] [--to ISO]
                                         statistics with cells under k suppressed

options:
  --database URL   the store (default: DATABASE_URL, else sqlite under ./data)
  --policy F       policy file, for the operator's name in reports and notices`;

function readStructured(file: string): unknown {
  const text = readFileSync(file, 'utf8');
  try {
    return file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new MamoriError('MAMORI_RECORD_INVALID', `${file}: ${err instanceof Error ? err.message : 'cannot parse'}`);
  }
}

function operatorName(policyPath: string | undefined): string {
  if (!policyPath) return '（事業者名）';
  const r = loadPolicyFile(policyPath);
  if (!r.ok) throw new MamoriError('MAMORI_POLICY_INVALID', `The policy file ${policyPath} has errors.`);
  return localize(r.loaded.policy.operator.name, 'ja');
}

export const recordsCommand: Command = async (argv) => {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      database: { type: 'string' },
      policy: { type: 'string' },
      file: { type: 'string' },
      subject: { type: 'string' },
      out: { type: 'string', short: 'o' },
      stage: { type: 'string' },
      at: { type: 'string' },
      input: { type: 'string' },
      config: { type: 'string' },
      recipient: { type: 'string' },
      'no-record': { type: 'boolean' },
      k: { type: 'string' },
      csv: { type: 'boolean' },
      from: { type: 'string' },
      to: { type: 'string' },
    },
  });
  const [sub, action, id] = positionals;
  if (values.help || !sub) {
    console.log(HELP);
    return values.help ? 0 : 2;
  }
  const usage = (msg: string) => {
    console.error(`mamori records: ${msg}\n\n${HELP}`);
    return 2;
  };
  const known = ['purge', 'provision', 'receipt', 'incident', 'anonymize', 'stats'];
  if (!known.includes(sub)) return usage(`unknown subcommand "${sub}"`);

  // Anonymization without recording needs no database.
  if (sub === 'anonymize') {
    if (!values.input || !values.config || !values.out) return usage('anonymize needs --input, --config and --out');
    const config = parseRecordInput(anonymizationJobSchema, readStructured(values.config), 'MAMORI_ANONYMIZATION_CONFIG_INVALID');
    const result = anonymizeCsv(readFileSync(values.input, 'utf8'), config);
    writeFileSync(values.out, result.csv);
    console.log(`wrote ${result.rows.length} row(s) to ${values.out}; ${result.suppressedRows} of ${result.inputRows} suppressed for k=${config.k}`);
    const operator = operatorName(values.policy);
    if (values.recipient) {
      writeFileSync(`${values.out}.notice.txt`, `${anonymizedRecipientNotice(operator, { name: config.name, items: result.items })}\n`);
      console.log(`wrote the notice for the recipient to ${values.out}.notice.txt`);
    }
    if (values['no-record']) return 0;
    const store = await openCliStore(values.database);
    try {
      const { job, provision } = await recordAnonymizationJob(store.db, systemClock, 'cli', { config, result, ...(values.recipient ? { recipient: { name: values.recipient } } : {}) });
      console.log(`recorded job ${job.id}; item list published at /privacy/anonymized${provision ? `; provision recorded ${provision.id}` : ''}`);
    } finally {
      await store.close();
    }
    return 0;
  }

  const store = await openCliStore(values.database);
  const clock = systemClock;
  try {
    switch (sub) {
      case 'purge': {
        const r = await purgeExpiredRecords(store.db, clock, 'cli');
        console.log(`purged ${r.provisions} provision, ${r.receipts} receipt and ${r.relatedConfirmations} 31条 record(s) past retention as of ${r.today}`);
        return 0;
      }
      case 'provision': {
        if (action === 'add') {
          if (!values.file) return usage('provision add needs --file');
          const rec = await recordProvision(store.db, clock, 'cli', readStructured(values.file), 'cli');
          console.log(`recorded ${rec.id} (keep until ${rec.retainUntil}${rec.required ? '' : '; not required by 29条, kept as a voluntary record'})`);
          return 0;
        }
        if (action === 'list') {
          for (const p of await listProvisions(store.db, values.subject ? { subjectId: values.subject } : {})) {
            console.log(`${p.id}  ${p.providedOn}  ${p.basis.padEnd(20)} ${p.form.padEnd(19)} ${p.recipient.name}  people=${p.subjectCount}  keep-until=${p.retainUntil}`);
          }
          return 0;
        }
        return usage('provision needs add or list');
      }
      case 'receipt': {
        if (action !== 'add' || !values.file) return usage('receipt add needs --file');
        const rec = await recordReceipt(store.db, clock, 'cli', readStructured(values.file), 'cli');
        console.log(`recorded ${rec.id} (keep until ${rec.retainUntil})`);
        return 0;
      }
      case 'incident': {
        const operator = operatorName(values.policy);
        if (action === 'add') {
          if (!values.file) return usage('incident add needs --file');
          const inc = await createIncident(store.db, clock, 'cli', readStructured(values.file));
          const v = await getIncidentView(store.db, inc.id, clock.now());
          console.log(`recorded ${inc.id}: ${v.reportability.reportable ? 'REPORTABLE' : 'not reportable'}`);
          for (const t of v.reportability.triggers) console.log(`  - ${breachTriggerLabels[t.trigger].ja} (${t.article})`);
          if (v.deadlines) console.log(`  速報 by ${v.deadlines.preliminary.dueDate} (at the latest ${v.deadlines.preliminary.limitDate}); 確報 by ${v.deadlines.final.dueDate}`);
          return 0;
        }
        if (action === 'list') {
          for (const v of await listIncidents(store.db, clock.now())) {
            const d = v.deadlines ? ` 速報:${v.deadlines.preliminary.state} 確報:${v.deadlines.final.state}` : '';
            console.log(`${v.id}  ${v.discoveredAt.slice(0, 10)}  ${v.reportability.reportable ? 'reportable' : 'not-reportable'}${d}  ${v.title}`);
          }
          return 0;
        }
        if (!id) return usage(`incident ${action ?? ''} needs an incident id`);
        if (action === 'show' || action === 'report') {
          const v = await getIncidentView(store.db, id, clock.now());
          const text = breachReportText(v, operator);
          if (action === 'report' && values.out) {
            writeFileSync(values.out, `${text}\n`);
            console.log(`wrote the report draft to ${values.out}`);
          } else console.log(text);
          if (action === 'show' && v.missing.final.length > 0) console.log(`missing for the final report: ${v.missing.final.join(', ')}`);
          return 0;
        }
        if (action === 'fields') {
          if (!values.file) return usage('incident fields needs --file');
          await updateIncident(store.db, clock, 'cli', id, {}, readStructured(values.file));
          console.log(`updated the report items of ${id}`);
          return 0;
        }
        if (action === 'submit') {
          if (values.stage !== 'preliminary' && values.stage !== 'final') return usage('incident submit needs --stage preliminary or --stage final');
          await markReportSubmitted(store.db, clock, 'cli', id, values.stage, values.at);
          console.log(`marked the ${values.stage} report of ${id} as submitted`);
          return 0;
        }
        return usage('incident needs add, list, show, fields, report or submit');
      }
      case 'stats': {
        const k = values.k ? Number(values.k) : undefined;
        if (k !== undefined && (!Number.isInteger(k) || k < 2)) throw new MamoriError('MAMORI_STATISTICS_INVALID', '--k must be an integer of at least 2');
        const s = await computeStatistics(store.db, { ...(k ? { k } : {}), ...(values.from ? { from: values.from } : {}), ...(values.to ? { to: values.to } : {}) });
        if (values.csv) {
          const csv = statisticsCsv(s);
          if (values.out) writeFileSync(values.out, csv);
          else process.stdout.write(csv);
        } else console.log(JSON.stringify(s, null, 2));
        return 0;
      }
      default:
        return usage(`unknown subcommand "${sub}"`);
    }
  } finally {
    await store.close();
  }
};
