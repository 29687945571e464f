import { isMamoriError } from '../errors.ts';
import type { Command } from './command.ts';

export type { Command };

interface CommandEntry {
  summary: string;
  load: () => Promise<Command>;
}

/** Every command, loaded lazily so `mamori lint` does not open a database. */
const commands: Record<string, CommandEntry> = {
  init: { summary: 'write a starter policy file with comments', load: async () => (await import('./commands/init.ts')).initCommand },
  lint: { summary: 'check a policy (and dataset graph) against APPI', load: async () => (await import('./commands/lint.ts')).lintCommand },
  render: { summary: 'write the published policy (ja/en, html/md)', load: async () => (await import('./commands/render.ts')).renderCommand },
  publish: { summary: 'store an immutable policy version', load: async () => (await import('./commands/publish.ts')).publishCommand },
  diff: { summary: 'show what changed between two versions', load: async () => (await import('./commands/diff.ts')).diffCommand },
  serve: { summary: 'run the server (policy, privacy center, console, API)', load: async () => (await import('./commands/serve.ts')).serveCommand },
  user: { summary: 'manage staff accounts (user add --email E --role R)', load: async () => (await import('./commands/user.ts')).userCommand },
  apikey: { summary: 'manage staff API keys', load: async () => (await import('./commands/apikey.ts')).apikeyCommand },
  dsr: { summary: 'run access / erase / correct across the dataset graph', load: async () => (await import('./commands/dsr.ts')).dsrCommand },
  scan: { summary: 'find personal data in a database and draft a dataset graph', load: async () => (await import('./commands/scan.ts')).scanCommand },
  audit: { summary: 'verify or export the audit log', load: async () => (await import('./commands/audit.ts')).auditCommand },
  'audit-site': { summary: 'audit pages in Chromium against the policy (外部送信, consent, GPC)', load: async () => (await import('./commands/audit-site.ts')).auditSiteCommand },
  secret: { summary: 'move the store to a new MAMORI_SECRET (secret rotate): re-sign and re-encrypt, resumably', load: async () => (await import('./commands/secret.ts')).secretCommand },
  records: { summary: 'provision records, incidents, statistics, anonymization', load: async () => (await import('./commands/records.ts')).recordsCommand },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((k) => k.length));
  return ['usage: mamori <command> [options]', '', ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`), '', 'Run `mamori <command> --help` for its options.'].join('\n');
}

export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const entry = commands[name];
  if (!entry) {
    console.error(`mamori: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  try {
    const command = await entry.load();
    return await command(rest);
  } catch (err) {
    if (isMamoriError(err)) {
      console.error(`mamori ${name}: ${err.message} [${err.code}]`);
      return 1;
    }
    if (err instanceof Error && 'code' in err && (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`mamori ${name}: ${err.message}`);
      return 2;
    }
    throw err;
  }
}
