import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { systemClock } from '../../clock.ts';
import { loadConfig, parseSecret } from '../../config.ts';
import { MamoriError } from '../../errors.ts';
import { rotateSecret, type RotationResult } from '../../secret/secret-rotation.ts';
import { checkMatches, latestRotation, rotationItems, type RotationItem } from '../../secret/secret-rotation-state.ts';
import { migrateToLatest } from '../../store/migrate.ts';
import { openStore, type Store } from '../../store/store.ts';
import type { Command } from '../command.ts';
import { cliSecret, type SecretSource } from '../cli-store.ts';

const HELP = `usage: mamori secret rotate [--new-secret-file F | --generate] [--database URL] [--batch-size N]

  Moves the store to a new MAMORI_SECRET: re-encrypts uploaded documents, gathered data, disclosure packages and
  connector payloads; re-signs the audit chain and consent receipts; re-derives request links. Stop every
  \`mamori serve\` using the store first (on PostgreSQL a server still connected is refused). Resumable: if it stops half-way (crash, power cut), run the same command
  again with the same two secrets; until it has finished, the server and the CLI refuse to open the store.

  old secret    MAMORI_SECRET, else <data dir>/secret.key (the one the store is signed with now)
  new secret    --new-secret-file F (64 hex characters or base64 of 32 bytes), else the environment variable
                MAMORI_NEW_SECRET; never on the command line
  --generate    create the new secret (in F, or <data dir>/secret.key.new) before anything changes; a resumed
                run reuses it

  When the old secret came from <data dir>/secret.key, that file holds the new secret afterwards and the old one
  is kept beside it (secret.key.before-<rotation>) for backups made before the rotation. With MAMORI_SECRET, set
  it to the new secret on every instance before starting them again.

  Links mailed to requesters before the rotation stop opening their requests (anyone holding the old secret could
  forge them); every later mail about a request carries a working link. Email codes sent before it no longer
  match (a filing still waiting for its code is made again). Download links of packages keep working. Staff
  sign-ins stay; open forms need a reload.`;

const itemLabels: Record<RotationItem, string> = {
  request_files: 'uploaded documents re-encrypted',
  request_gathered: 'gathered data sections re-encrypted',
  request_packages: 'disclosure packages and letters re-encrypted',
  connector_payloads: 'connector run payloads re-encrypted',
  connector_results: 'connector results re-encrypted',
  consent_receipts: 'consent receipts re-signed',
  audit_rows: 'audit rows re-signed',
  request_links: 'request links re-derived',
  outbox_links: 'mails waiting in the outbox given the new link',
};

/** The new secret: a file, else MAMORI_NEW_SECRET, else (with --generate) a fresh one written before any change. */
function newSecretFrom(file: string | undefined, generate: boolean, dataDir: string): { secret: Buffer; file?: string } {
  if (generate) {
    const path = resolve(file ?? join(dataDir, 'secret.key.new'));
    // 'wx': an existing file is a resumed run's secret and is never overwritten.
    if (!existsSync(path)) writeFileSync(path, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
    return { secret: parseSecret(readFileSync(path, 'utf8').trim()), file: path };
  }
  if (file) return { secret: parseSecret(readFileSync(file, 'utf8').trim()), file: resolve(file) };
  const env = process.env.MAMORI_NEW_SECRET;
  if (env) return { secret: parseSecret(env) };
  throw new MamoriError('MAMORI_CONFIG_INVALID', 'No new secret: pass --new-secret-file F, set MAMORI_NEW_SECRET, or pass --generate.');
}

/** After a finished rotation, the data directory's secret.key holds the new secret; the old one is kept beside it. */
function swapKeyFile(source: SecretSource, result: RotationResult, next: { secret: Buffer; file?: string }): string[] {
  if (source.kind === 'env') {
    return [`Set MAMORI_SECRET to the new secret${next.file ? ` (in ${next.file})` : ''} on every instance before starting mamori again.`];
  }
  const kept = `${source.path}.before-${result.id}`;
  if (!existsSync(kept)) writeFileSync(kept, readFileSync(source.path), { mode: 0o600, flag: 'wx' });
  const tmp = `${source.path}.tmp`;
  writeFileSync(tmp, next.secret.toString('hex') + '\n', { mode: 0o600 });
  renameSync(tmp, source.path);
  if (next.file && next.file !== source.path && next.file === `${source.path}.new`) rmSync(next.file, { force: true });
  return [`${source.path} now holds the new secret. The old one is kept in ${kept} for backups made before the rotation: delete it once they are gone.`];
}

function report(result: RotationResult): void {
  const verb = result.outcome === 'resumed' ? 'finished the unfinished rotation' : 'rotated';
  console.log(`mamori secret rotate: ${verb} ${result.id}; the store is now under the new secret.`);
  for (const item of rotationItems) {
    const p = result.progress[item];
    console.log(`  ${itemLabels[item]}: ${p.rotated}${p.left > 0 ? ` (${p.left} did not verify or open under the old secret and were left as they were)` : ''}`);
  }
  console.log(`  signed audit head: ${result.headResigned ? 're-signed' : 'absent or not valid under the old secret (left for `mamori audit verify` to report)'}`);
  if (result.progress.request_links.rotated > 0) {
    console.log(`Links mailed before now no longer open their ${result.progress.request_links.rotated} request(s); every later mail carries the new link.`);
  }
}

/** Opens the store without the usual refusals: the rotation itself checks the secrets and resumes an unfinished run. */
async function openForRotation(url: string): Promise<Store> {
  const store = await openStore(url);
  try {
    await migrateToLatest(store);
    return store;
  } catch (err) {
    await store.close();
    throw err;
  }
}

export const secretCommand: Command = async (argv) => {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      database: { type: 'string' },
      'new-secret-file': { type: 'string' },
      generate: { type: 'boolean' },
      'batch-size': { type: 'string' },
    },
  });
  if (values.help || positionals[0] !== 'rotate') {
    console.log(HELP);
    return values.help ? 0 : 2;
  }
  const batchSize = values['batch-size'] === undefined ? 200 : Number(values['batch-size']);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
    console.error('mamori secret: --batch-size must be a whole number from 1 to 10000');
    return 2;
  }
  const config = loadConfig(process.env, { secret: Buffer.alloc(32) });
  const current = cliSecret(config.dataDir);
  if (!current) throw new MamoriError('MAMORI_CONFIG_INVALID', `No current secret: set MAMORI_SECRET or keep ${join(config.dataDir, 'secret.key')} (the secret the store is signed with).`);
  const next = newSecretFrom(values['new-secret-file'], values.generate === true, config.dataDir);
  // Fault injection for the resumption tests: the process kills itself, as a crash would, after N committed batches.
  const crashAfter = Number(process.env.MAMORI_TEST_ROTATION_CRASH_AFTER ?? 0);
  let batches = 0;
  const store = await openForRotation(values.database ?? config.databaseUrl);
  try {
    if (current.secret.equals(next.secret)) {
      // A crash after the key file was swapped but before secret.key.new was removed: the rotation is complete.
      const latest = await latestRotation(store.db);
      if (latest?.state === 'finished' && checkMatches(next.secret, latest.id, latest.newCheck)) {
        if (next.file && current.source.kind === 'file' && next.file === `${current.source.path}.new`) rmSync(next.file, { force: true });
        console.log(`mamori secret rotate: the store was already rotated to this secret (${latest.id}).`);
        return 0;
      }
    }
    const result = await rotateSecret({
      store,
      clock: systemClock,
      keys: { old: current.secret, new: next.secret },
      batchSize,
      onBatch: () => {
        batches += 1;
        if (crashAfter > 0 && batches >= crashAfter) process.kill(process.pid, 'SIGKILL');
      },
    });
    if (result.outcome === 'already') console.log(`mamori secret rotate: the store was already rotated to this secret (${result.id}).`);
    else report(result);
    for (const line of swapKeyFile(current.source, result, next)) console.log(line);
    return 0;
  } finally {
    await store.close();
  }
};
