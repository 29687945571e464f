import { parseArgs } from 'node:util';
import type { Command } from '../command.ts';
import { loadLintedPolicy } from '../../server.ts';
import { systemClock } from '../../clock.ts';
import { publishVersion, purposeChangeChoices, type PurposeChangeChoice } from '../../policy/policy-versions.ts';
import { openCliStore } from '../cli-store.ts';

const HELP = `usage: mamori publish <file> --effective YYYY-MM-DD [--note TEXT] [--purpose-change related|consent] [--database URL]

Stores the policy as a new immutable version (numbered 1, 2, 3 …) in DATABASE_URL and records it in the audit log.
Refuses a policy with lint errors, content identical to the latest version, and an effective date before it.
When purposes of use changed since the latest version, say what the privacy officer confirmed:
  --purpose-change related   the new purposes are reasonably related to the old ones (APPI 17条2項); announce them
  --purpose-change consent   they are not, and consent will be collected before the data is used for them`;

export const publishCommand: Command = async (argv) => {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      effective: { type: 'string' },
      note: { type: 'string' },
      'purpose-change': { type: 'string' },
      database: { type: 'string' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const file = positionals[0];
  if (!file || !values.effective) {
    console.error(HELP);
    return 2;
  }
  const pc = values['purpose-change'];
  const isChoice = (v: string): v is PurposeChangeChoice => (purposeChangeChoices as readonly string[]).includes(v);
  if (pc !== undefined && !isChoice(pc)) {
    console.error(`mamori publish: --purpose-change must be related or consent (got "${pc}")`);
    return 2;
  }
  const loaded = loadLintedPolicy(file);
  const store = await openCliStore(values.database);
  try {
    const version = await publishVersion(store, systemClock, {
      policy: loaded.policy,
      sourceYaml: loaded.source,
      effectiveOn: values.effective,
      actor: 'cli',
      ...(values.note ? { note: values.note } : {}),
      ...(pc ? { purposeChange: pc } : {}),
    });
    console.log(`published version ${version.number} (${version.id}), effective ${version.effectiveOn}${version.purposeChange ? `, purpose change: ${version.purposeChange}` : ''}`);
    return 0;
  } finally {
    await store.close();
  }
};
