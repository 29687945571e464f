import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { starterPolicy } from '../../policy/starter-policy.ts';
import type { Command } from '../command.ts';

const HELP = `usage: mamori init [dir]

Writes a starter policy.yaml into dir (default: the current directory), with comments that explain each section.
Replace every "FILL IN:" value, then run \`mamori lint <dir>/policy.yaml\` until it reports no errors.
An existing policy.yaml is never overwritten.`;

/**
 * `mamori init [dir]`: writes the starter policy; refuses to overwrite.
 * @example node bin/mamori.js init ./privacy
 */
export const initCommand: Command = async (argv) => {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length > 1) {
    console.error(`mamori init: give at most one directory (got ${positionals.length})\n\n${HELP}`);
    return 2;
  }
  const dir = resolve(positionals[0] ?? '.');
  const file = join(dir, 'policy.yaml');
  mkdirSync(dir, { recursive: true });
  try {
    // 'wx' fails if the file exists, so a concurrent init cannot overwrite either.
    writeFileSync(file, starterPolicy, { flag: 'wx' });
  } catch (err) {
    if (err instanceof Error && 'code' in err && err.code === 'EEXIST') {
      console.error(`mamori init: ${file} already exists; it was left unchanged (remove it first to start over)`);
      return 1;
    }
    throw err;
  }
  console.log(`wrote ${file}\nnext: replace every "FILL IN:" value, then run: mamori lint ${file}`);
  return 0;
};
