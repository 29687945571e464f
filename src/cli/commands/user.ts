import { parseArgs } from 'node:util';
import type { Command } from '../command.ts';
import { systemClock } from '../../clock.ts';
import { openSecretStore } from '../cli-store.ts';
import { createStaffUser, disableStaffUser, enableStaffUser, listStaffUsers, resetStaffPassword } from '../../staff/staff-users.ts';
import { generatePassword, passwordProblem } from '../../staff/password-hash.ts';
import { isStaffRole, staffRoles } from '../../staff/staff-permissions.ts';

const USAGE = `usage:
  mamori user add --email E --role ${staffRoles.join('|')} [--password-stdin]
      Creates a staff account. Without --password-stdin a strong password is generated and printed once.
  mamori user list            Lists staff accounts (email, role, status, last sign-in).
  mamori user disable --email E
      Disables the account and ends its sessions.
  mamori user enable --email E
      Enables a disabled account again (it signs in with its current password).
  mamori user reset-password --email E [--password-stdin]
      Sets a new password and ends all of the account's sessions. Without --password-stdin a strong password is
      generated and printed once.

Environment: DATABASE_URL (default: sqlite file under ./data).`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  // Only the first line, without its line break: `echo pw | mamori user add …` should just work.
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

/** The password from stdin (checked), or a generated one; undefined after printing the problem. */
async function passwordFor(sub: string, fromStdin: boolean): Promise<{ password: string; generated: boolean } | undefined> {
  if (!fromStdin) return { password: generatePassword(), generated: true };
  const password = await readStdin();
  const problem = passwordProblem(password);
  if (problem) {
    console.error(`mamori user ${sub}: ${problem}`);
    return undefined;
  }
  return { password, generated: false };
}

export const userCommand: Command = async (argv) => {
  const [sub, ...rest] = argv;
  const { values } = parseArgs({ args: rest, options: { email: { type: 'string' }, role: { type: 'string' }, 'password-stdin': { type: 'boolean' }, help: { type: 'boolean' } } });
  if (!sub || values.help || sub === '--help') {
    console.log(USAGE);
    return sub ? 0 : 2;
  }
  if (sub === 'add') {
    if (!values.email || !values.role) {
      console.error(`mamori user add: --email and --role are required\n\n${USAGE}`);
      return 2;
    }
    if (!isStaffRole(values.role)) {
      console.error(`mamori user add: --role must be one of ${staffRoles.join(', ')}`);
      return 2;
    }
    const chosen = await passwordFor('add', values['password-stdin'] === true);
    if (!chosen) return 2;
    const { password, generated } = chosen;
    const store = await openSecretStore();
    try {
      const user = await createStaffUser(store.db, systemClock, { email: values.email, role: values.role, password, actor: 'cli' });
      console.log(`created ${user.role} ${user.email} (${user.id})`);
      if (generated) console.log(`password: ${password}\n(shown once: store it in a password manager now)`);
      return 0;
    } finally {
      await store.close();
    }
  }
  if (sub === 'list') {
    const store = await openSecretStore();
    try {
      const users = await listStaffUsers(store.db);
      if (users.length === 0) console.log('no staff accounts yet: create one with `mamori user add --email E --role admin`');
      for (const u of users) console.log([u.id, u.email, u.role, u.disabled ? 'disabled' : 'active', u.lastLoginAt ?? 'never signed in'].join('\t'));
      return 0;
    } finally {
      await store.close();
    }
  }
  if (sub === 'disable') {
    if (!values.email) {
      console.error('mamori user disable: --email is required');
      return 2;
    }
    const store = await openSecretStore();
    try {
      const user = await disableStaffUser(store.db, systemClock, values.email, 'cli');
      console.log(`disabled ${user.email}; their sessions have ended`);
      return 0;
    } finally {
      await store.close();
    }
  }
  if (sub === 'enable') {
    if (!values.email) {
      console.error('mamori user enable: --email is required');
      return 2;
    }
    const store = await openSecretStore();
    try {
      const { user, changed } = await enableStaffUser(store.db, systemClock, values.email, 'cli');
      console.log(changed ? `enabled ${user.email}; they can sign in again` : `${user.email} is already active; nothing changed`);
      return 0;
    } finally {
      await store.close();
    }
  }
  if (sub === 'reset-password') {
    if (!values.email) {
      console.error('mamori user reset-password: --email is required');
      return 2;
    }
    const chosen = await passwordFor('reset-password', values['password-stdin'] === true);
    if (!chosen) return 2;
    const store = await openSecretStore();
    try {
      const { user, sessionsEnded } = await resetStaffPassword(store.db, systemClock, values.email, { password: chosen.password, actor: 'cli' });
      console.log(`new password set for ${user.email}; ${sessionsEnded} open session(s) ended${user.disabled ? ' (the account is still disabled: `mamori user enable` turns it on)' : ''}`);
      if (chosen.generated) console.log(`password: ${chosen.password}\n(shown once: pass it on securely)`);
      return 0;
    } finally {
      await store.close();
    }
  }
  console.error(`mamori user: unknown subcommand "${sub}"\n\n${USAGE}`);
  return 2;
};
