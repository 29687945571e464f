import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { strToU8, zipSync } from 'fflate';
import { loadConfig } from '../../config.ts';
import { systemClock } from '../../clock.ts';
import { formatIssues } from '../../policy/load-policy.ts';
import { loadGraphFile } from '../../connectors/load-graph.ts';
import { createConnectorService, type RunReport } from '../../connectors/connector-service.ts';
import { undeclaredIdentityKinds, unknownCorrectionFields } from '../../connectors/graph-usage.ts';
import type { RunKind } from '../../connectors/graph-schema.ts';
import type { Command } from '../command.ts';
import { openKeyedStore } from '../cli-store.ts';

const HELP = `usage:
  mamori dsr access  --graph <datasets.yaml> --identity email=a@example.jp [--identity account_id=…] [--out pkg.zip]
  mamori dsr erase   --graph <datasets.yaml> --identity … [--dry-run]
  mamori dsr correct --graph <datasets.yaml> --identity … --set collection.field=value [--set …]
  mamori dsr suspend --graph <datasets.yaml> --identity …
  mamori dsr work    --graph <datasets.yaml> [--once] [--interval-ms 2000]

Runs one person's access, erasure, correction or suspension across every system of the dataset graph and records each
step in mamori's ledger (DATABASE_URL). Database URLs come from the environment variables the graph names.
Only counts are printed; access data goes to --out (a zip with one JSON file per collection).

\`work\` is a background worker: it claims queued runs from mamori's database (FOR UPDATE SKIP LOCKED on PostgreSQL)
under a lease, so several workers and servers share the queue and a crashed worker's runs are picked up again.

An erasure that would change other people's rows through the database's ON DELETE rules is refused before anything
changes (the output names the foreign-key path and counts); --dry-run shows what each delete would cascade to.

Exit status: 0 done, 1 a system failed or waits (manual task, webhook callback), 2 usage or configuration errors
(including an identity kind no field declares and --set naming an unknown field), 3 no data found for these identities.`;

const actions: Record<string, RunKind> = { access: 'access', erase: 'erase', correct: 'correct', suspend: 'suspend' };

/**
 * `mamori dsr <access|erase|correct|suspend> --graph G --identity k=v …`.
 * @example node bin/mamori.js dsr erase --graph examples/misskey-server/datasets.yaml --identity email=a@example.jp --dry-run
 */
export const dsrCommand: Command = async (argv) => {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { once: { type: 'boolean' }, 'interval-ms': { type: 'string' }, graph: { type: 'string' }, identity: { type: 'string', multiple: true }, set: { type: 'string', multiple: true }, out: { type: 'string' }, 'dry-run': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    console.error(HELP);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals[0] === 'work' && values.graph) return workLoop(values.graph, values.once === true, Number(values['interval-ms'] ?? 2000) || 2000);
  const kind = actions[positionals[0] ?? ''];
  if (!kind || !values.graph || !values.identity?.length) {
    console.error(HELP);
    return 2;
  }
  const identities: Record<string, string> = {};
  for (const pair of values.identity) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.+)$/.exec(pair);
    if (!m?.[1] || !m[2]) {
      console.error('--identity must look like kind=value, e.g. email=a@example.jp');
      return 2;
    }
    identities[m[1]] = m[2];
  }
  const corrections: Array<{ field: string; after: unknown }> = [];
  for (const pair of values.set ?? []) {
    const m = /^([A-Za-z_][A-Za-z0-9_.]*)=(.*)$/s.exec(pair);
    if (!m?.[1] || m[2] === undefined || !m[1].includes('.')) {
      console.error('--set must look like collection.field=value');
      return 2;
    }
    corrections.push({ field: m[1], after: m[2] });
  }
  if (kind === 'correct' && corrections.length === 0) {
    console.error('mamori dsr correct needs at least one --set collection.field=value');
    return 2;
  }
  const g = loadGraphFile(values.graph);
  if (!g.ok) {
    console.error(formatIssues(g.issues));
    return 2;
  }
  const unknownKinds = undeclaredIdentityKinds(g.loaded.graph, Object.keys(identities));
  if (unknownKinds.length > 0) {
    console.error(`no field of the graph declares the identity kind(s) ${unknownKinds.join(', ')}: use one of the graph's \`identity\` kinds`);
    return 2;
  }
  const unknownFields = unknownCorrectionFields(g.loaded.graph, corrections.map((c) => c.field));
  if (unknownFields.length > 0) {
    console.error(`--set names field(s) the graph does not declare: ${unknownFields.join(', ')}`);
    return 2;
  }
  const config = loadConfig(process.env);
  const store = await openKeyedStore(config.databaseUrl, config.secret);
  const tty = process.stderr.isTTY === true;
  const svc = createConnectorService({
    store,
    clock: systemClock,
    graph: g.loaded.graph,
    secret: config.secret,
    env: process.env,
    baseUrl: config.baseUrl,
    onStep: (s) => {
      if (tty) {
        const width = 24;
        const filled = Math.round((s.index / s.total) * width);
        process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${s.index}/${s.total} ${s.dataset}: ${s.status} (${s.count})\x1b[K${s.index === s.total ? '\n' : ''}`);
      } else process.stderr.write(`${s.index}/${s.total} ${s.dataset} ${s.status} ${s.count}\n`);
    },
  });
  try {
    const id = await svc.queueRun({ kind, identities, corrections, dryRun: values['dry-run'] === true, actor: 'cli' });
    const status = await svc.runNow(id);
    const report = await svc.report(id);
    printReport(report);
    if (status !== 'done' && status !== 'waiting') return 1;
    if (report.noDataFound) {
      console.log('no data found for these identities');
      return 3;
    }
    if (kind === 'access' && values.out) {
      const results = await svc.results(id);
      const files: Record<string, Uint8Array> = { 'manifest.json': strToU8(JSON.stringify({ run: id, createdAt: new Date().toISOString(), systems: report.steps.map((s) => ({ dataset: s.dataset, status: s.status, count: s.count })) }, null, 2)) };
      for (const r of results) for (const grp of r.groups) files[`${grp.name.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`] = strToU8(JSON.stringify(grp.rows, null, 2));
      writeFileSync(values.out, zipSync(files), { mode: 0o600 });
      console.log(`wrote ${values.out}`);
    } else if (kind === 'access') console.log('(use --out pkg.zip to write the data)');
    if (kind === 'correct') for (const r of await svc.results(id)) for (const c of r.corrections) console.log(`corrected ${c.field}: ${c.count} row(s)`);
    return status === 'done' ? 0 : 1;
  } finally {
    await svc.close();
    await store.close();
  }
};

function printReport(r: RunReport): void {
  // A failed step leaves the run queued for a retry by a worker: on the command line that is a failure.
  const status = r.status === 'queued' || r.status === 'running' ? 'failed' : r.status;
  console.log(`run ${r.id} ${r.kind}${r.dryRun ? ' (dry run)' : ''}: ${status}${r.status === 'queued' ? ' (a worker retries it: mamori dsr work)' : ''}`);
  for (const s of r.steps) {
    console.log(`  ${s.dataset}: ${s.status} ${s.count}${s.error ? ` [${s.error.code}] ${s.error.message}` : ''}`);
    for (const c of s.collections) {
      console.log(`    ${c.collection}: ${c.status} ${c.count}${c.note ? ` (${c.note})` : ''}`);
      for (const x of c.cascaded ?? []) console.log(`      cascades ${x.path}: ${x.mine} of the person's row(s), ${x.others} other people's`);
      for (const x of c.triggers ?? []) console.log(`      trigger ${x.id} runs (${x.fires})${x.acknowledged ? ', acknowledged' : ', NOT acknowledged'}${x.writes ? `; its code writes ${x.writes.join(', ')}` : ''}`);
      for (const x of c.triggerEffects ?? []) console.log(`      triggers change ${x.table}: ${x.inserted} inserted, ${x.updated} updated, ${x.deleted} deleted (measured, rolled back)`);
    }
  }
}

/** Claims and runs queued runs until stopped (SIGINT/SIGTERM), or once with --once. */
async function workLoop(graphPath: string, once: boolean, intervalMs: number): Promise<number> {
  const g = loadGraphFile(graphPath);
  if (!g.ok) {
    console.error(formatIssues(g.issues));
    return 2;
  }
  const config = loadConfig(process.env);
  const store = await openKeyedStore(config.databaseUrl, config.secret);
  const svc = createConnectorService({ store, clock: systemClock, graph: g.loaded.graph, secret: config.secret, env: process.env, baseUrl: config.baseUrl });
  let stop = false;
  const halt = () => {
    stop = true;
  };
  process.once('SIGINT', halt);
  process.once('SIGTERM', halt);
  try {
    for (;;) {
      const n = await svc.workUntilIdle();
      if (n > 0) console.log(`${new Date().toISOString()} worker ${svc.owner}: ${n} run(s) processed`);
      if (once || stop) return 0;
      await new Promise((r) => setTimeout(r, intervalMs));
      if (stop) return 0;
    }
  } finally {
    await svc.close();
    await store.close();
  }
}
