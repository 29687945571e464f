import { parseArgs } from 'node:util';
import type { Command } from '../command.ts';
import { systemClock } from '../../clock.ts';
import { createApiKey, listApiKeys, revokeApiKey } from '../../staff/api-keys.ts';
import { isStaffRole, staffRoles } from '../../staff/staff-permissions.ts';
import { openSecretStore } from '../cli-store.ts';

const USAGE = `usage:
  mamori apikey add --name N --role ${staffRoles.join('|')}
      Creates an API key for the staff API (/api/v1/console/…) and prints it once.
  mamori apikey list          Lists keys (prefix, name, role, last used, revoked).
  mamori apikey revoke <id or prefix>

Environment: DATABASE_URL (default: sqlite file under ./data).`;

export const apikeyCommand: Command = async (argv) => {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { name: { type: 'string' }, role: { type: 'string' }, help: { type: 'boolean' } } });
  if (!sub || values.help || sub === '--help') {
    console.log(USAGE);
    return sub ? 0 : 2;
  }
  if (sub === 'add') {
    if (!values.name || !values.role) {
      console.error(`mamori apikey add: --name and --role are required\n\n${USAGE}`);
      return 2;
    }
    if (!isStaffRole(values.role)) {
      console.error(`mamori apikey add: --role must be one of ${staffRoles.join(', ')}`);
      return 2;
    }
    const store = await openSecretStore();
    try {
      const { key, info } = await createApiKey(store.db, systemClock, { name: values.name, role: values.role, actor: 'cli' });
      console.log(`created API key ${info.prefix} "${info.name}" (${info.role}, ${info.id})`);
      console.log(`key: ${key}\n(shown once: send it as "Authorization: Bearer <key>")`);
      return 0;
    } finally {
      await store.close();
    }
  }
  if (sub === 'list') {
    const store = await openSecretStore();
    try {
      const keys = await listApiKeys(store.db);
      if (keys.length === 0) console.log('no API keys yet: create one with `mamori apikey add --name N --role staff`');
      for (const k of keys) console.log([k.id, k.prefix, k.name, k.role, k.lastUsedAt ? `last used ${k.lastUsedAt}` : 'never used', k.revokedAt ? `revoked ${k.revokedAt}` : 'active'].join('\t'));
      return 0;
    } finally {
      await store.close();
    }
  }
  if (sub === 'revoke') {
    const target = positionals[0];
    if (!target) {
      console.error('mamori apikey revoke: give the key id or prefix (see `mamori apikey list`)');
      return 2;
    }
    const store = await openSecretStore();
    try {
      const info = await revokeApiKey(store.db, systemClock, target, 'cli');
      console.log(`revoked ${info.prefix} "${info.name}"`);
      return 0;
    } finally {
      await store.close();
    }
  }
  console.error(`mamori apikey: unknown subcommand "${sub}"\n\n${USAGE}`);
  return 2;
};
