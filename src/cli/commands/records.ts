import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import type { Command } from '../command.ts';
import { systemClock } from '../../clock.ts';
import { MamoriError } from '../../errors.ts';
import { loadPolicyFile, localize } from '../../policy/load-policy.ts';
import { openCliStore } from '../cli-store.ts';
import { extendProvision, purgeExpiredRecords, listProvisions, listReceipts, recordProvision, recordReceipt, recordRelatedConfirmation } from '../../records/provision-records.ts';
import { createOptOutFiling, flagOptOutStop, listOptOutFilings, updateOptOutFiling } from '../../records/optout-filings.ts';
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
  provision extend ID --date YYYY-MM-DD [--subject ID]
                                         a further provision under a batch/contract record
  receipt add --file F.yaml              record a receipt confirmation (30条)
  receipt list [--subject ID]            list receipt records
  related add --file F.yaml              record a 31条 confirmation (person-related information)
  optout add --title T --items a,b       track a new opt-out filing (draft)
  optout filed ID --date YYYY-MM-DD      the filing was submitted to the PPC
  optout published ID --date D [--self-date D]
                                         the PPC published it (and we published it too)
  optout list                            filings and whether our own publication is missing
  optout stop --subject ID               a person asked opt-out provision to stop
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
      date: { type: 'string' },
      'self-date': { type: 'string' },
      title: { type: 'string' },
      items: { type: 'string' },
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
  const known = ['purge', 'provision', 'receipt', 'related', 'optout', 'incident', 'anonymize', 'stats'];
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
        if (action === 'extend') {
          if (!id || !values.date) return usage('provision extend needs an id and --date');
          const rec = await extendProvision(store.db, clock, 'cli', id, { providedOn: values.date, subjects: values.subject ? [values.subject] : [] });
          console.log(`extended ${rec.id}: last provision ${rec.lastProvidedOn}, keep until ${rec.retainUntil}`);
          return 0;
        }
        return usage('provision needs add, list or extend');
      }
      case 'receipt': {
        if (action === 'list') {
          for (const r of await listReceipts(store.db, values.subject ? { subjectId: values.subject } : {})) {
            console.log(`${r.id}  ${r.receivedOn}  ${r.basis.padEnd(20)} ${r.provider.name}  people=${r.subjectCount}  keep-until=${r.retainUntil}`);
          }
          return 0;
        }
        if (action !== 'add' || !values.file) return usage('receipt add needs --file');
        const rec = await recordReceipt(store.db, clock, 'cli', readStructured(values.file), 'cli');
        console.log(`recorded ${rec.id} (keep until ${rec.retainUntil})`);
        return 0;
      }
      case 'related': {
        if (action !== 'add' || !values.file) return usage('related add needs --file');
        const rec = await recordRelatedConfirmation(store.db, clock, 'cli', readStructured(values.file), 'cli');
        console.log(`recorded ${rec.id} (keep until ${rec.retainUntil})`);
        return 0;
      }
      case 'optout': {
        const [, , filingId] = positionals;
        if (action === 'add') {
          if (!values.title || !values.items) return usage('optout add needs --title and --items');
          const f = await createOptOutFiling(store.db, clock, 'cli', { title: values.title, dataItems: values.items.split(',').map((x) => x.trim()).filter(Boolean) });
          console.log(`created ${f.id} (draft)`);
          return 0;
        }
        if (action === 'filed' || action === 'published') {
          if (!filingId || !values.date) return usage(`optout ${action} needs an id and --date`);
          const f = await updateOptOutFiling(store.db, clock, 'cli', filingId, action === 'filed' ? { status: 'filed', filedOn: values.date } : { status: 'published', ppcPublishedOn: values.date, ...(values['self-date'] ? { selfPublishedOn: values['self-date'] } : {}) });
          console.log(`${f.id}: ${f.status}${f.selfPublicationPending ? ' (publish it on your own site too: 27条4項)' : ''}`);
          return 0;
        }
        if (action === 'list') {
          for (const f of await listOptOutFilings(store.db)) console.log(`${f.id}  ${f.status.padEnd(10)} filed=${f.filedOn ?? '-'} ppc=${f.ppcPublishedOn ?? '-'} self=${f.selfPublishedOn ?? (f.selfPublicationPending ? 'MISSING' : '-')}  ${f.title}`);
          return 0;
        }
        if (action === 'stop') {
          if (!values.subject) return usage('optout stop needs --subject');
          const r = await flagOptOutStop(store.db, clock, 'cli', { subjectId: values.subject, source: 'staff' });
          console.log(r.alreadyFlagged ? 'already flagged' : `flagged (${r.id})`);
          return 0;
        }
        return usage('optout needs add, filed, published, list or stop');
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
