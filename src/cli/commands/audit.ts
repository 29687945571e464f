import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import type { Command } from '../command.ts';
import { openCliStore } from '../cli-store.ts';
import { auditChainHead, describeAuditProblem, exportAuditJsonl, verifyAuditExport, verifyAuditLog, type AnchorStatus, type AuditVerification } from '../../audit/audit-log.ts';

const HELP = `usage: mamori audit <verify|export|head> [options]

  verify [--expect-head SEQ:HASH] [--file F.jsonl]
                                    walk the hash chain (of the database, or of an export); exit 1 and name
                                    every edited, inserted or deleted row; on the database also check each
                                    row's MAC and the signed head (truncation, forged head, forged rows)
                                    with the key derived from MAMORI_SECRET (or <data dir>/secret.key)
  export [--out FILE] [--since ISO] [--until ISO]
                                    write the log as JSON Lines (stdout without --out)
  head                              print the newest row as SEQ:HASH (keep it elsewhere; pass it to verify later)

options:
  --database URL   the store (default: DATABASE_URL, else sqlite under MAMORI_DATA_DIR or ./data)`;

const anchorLine: Record<AnchorStatus, string> = {
  verified: 'head anchor: signed head and row MACs checked with the server secret',
  unchecked: 'head anchor: NOT checked (no server secret: set MAMORI_SECRET); only its position was compared',
  absent: 'head anchor: none yet (no signed append so far): deleting the newest rows cannot be detected without --expect-head',
};

function report(result: AuditVerification & { anchor?: AnchorStatus }): number {
  if (result.ok) {
    console.log(`audit log intact: ${result.count} event(s)`);
    if (result.anchor) console.log(anchorLine[result.anchor]);
    return 0;
  }
  console.error(`audit log tampered: ${result.problems.length} problem(s) in ${result.count} event(s)`);
  if (result.anchor) console.error(anchorLine[result.anchor]);
  for (const p of result.problems) console.error(`  - ${describeAuditProblem(p)}`);
  return 1;
}

export const auditCommand: Command = async (argv) => {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      database: { type: 'string' },
      out: { type: 'string', short: 'o' },
      since: { type: 'string' },
      until: { type: 'string' },
      'expect-head': { type: 'string' },
      file: { type: 'string' },
    },
  });
  const sub = positionals[0];
  if (values.help || !sub) {
    console.log(HELP);
    return values.help ? 0 : 2;
  }
  if (sub !== 'verify' && sub !== 'export' && sub !== 'head') {
    console.error(`mamori audit: unknown subcommand "${sub}"\n\n${HELP}`);
    return 2;
  }
  let expectHead: { seq: number; hash: string } | undefined;
  if (values['expect-head']) {
    const m = /^(\d+):([0-9a-f]{64})$/.exec(values['expect-head']);
    if (!m) {
      console.error('mamori audit: --expect-head must look like 42:<64 hex characters> (from `mamori audit head`)');
      return 2;
    }
    expectHead = { seq: Number(m[1]), hash: m[2] ?? '' };
  }
  if (sub === 'verify' && values.file) {
    const rl = createInterface({ input: createReadStream(values.file, { encoding: 'utf8' }), crlfDelay: Infinity });
    return report(await verifyAuditExport(rl, expectHead ? { expectHead } : {}));
  }
  const store = await openCliStore(values.database);
  try {
    if (sub === 'head') {
      const head = await auditChainHead(store.db);
      console.log(head ? `${head.seq}:${head.hash}` : 'empty');
      return 0;
    }
    if (sub === 'verify') {
      return report(await verifyAuditLog(store.db, expectHead ? { expectHead } : {}));
    }
    const out = values.out ? createWriteStream(values.out, { encoding: 'utf8' }) : process.stdout;
    let n = 0;
    for await (const line of exportAuditJsonl(store.db, { ...(values.since ? { since: values.since } : {}), ...(values.until ? { until: values.until } : {}) })) {
      if (!out.write(line)) await once(out, 'drain');
      n += 1;
    }
    if (values.out && 'close' in out) {
      out.end();
      await once(out, 'finish');
      console.error(`wrote ${n} event(s) to ${values.out}`);
    }
    return 0;
  } finally {
    await store.close();
  }
};
