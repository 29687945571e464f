// Runs every benchmark in bench/ one after another: `npm run bench` (full) or `npm run bench -- --smoke` (seconds).
// Each benchmark prints its own figures and the ratio against a baseline measured in the same run.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const only = args.filter((a) => !a.startsWith('--'));
const flags = args.filter((a) => a.startsWith('--'));
const benches = readdirSync(here).filter((f) => f.endsWith('-bench.ts') && (only.length === 0 || only.some((o) => f.includes(o)))).sort();
let failed = 0;
for (const file of benches) {
  console.log(`\n=== ${file} ${flags.join(' ')}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', `${here}/${file}`, ...flags], { stdio: 'inherit' });
  if (r.status !== 0) failed += 1;
}
process.exit(failed > 0 ? 1 : 0);
