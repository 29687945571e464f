import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { runMamori } from '../support/cli.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = join(root, 'test', 'fixtures', 'policies');
const base = readFileSync(join(fixtures, 'base.yaml'), 'utf8');

const mamori = (args: string[]) => runMamori(args, { env: { NO_COLOR: '1' } });

const jsonReport = z.object({
  file: z.string(),
  ok: z.boolean(),
  errors: z.number(),
  warnings: z.number(),
  issues: z.array(z.object({ file: z.string(), line: z.number(), col: z.number(), rule: z.string(), severity: z.enum(['error', 'warning']), message: z.string(), article: z.string().optional() })),
});

// Each case starts a CLI process; a few at once keep the file fast.
describe('mamori lint', { concurrency: 3 }, () => {
  let dir: string;
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  before(() => { dir = mkdtempSync(join(tmpdir(), 'mamori-lint-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('the summary line ends with a newline, with findings and without', async () => {
    const clean = await mamori(['lint', join(fixtures, 'base.yaml')]);
    assert.match(clean.stderr, /no problems found\n$/);
    const withFee = write('big-fee.yaml', base.replace('fee: { amount: 1000,', 'fee: { amount: 1000000,'));
    const r = await mamori(['lint', withFee]);
    assert.match(r.stdout, /appi-38-fee-reasonable/);
    assert.match(r.stderr, /0 errors, 1 warning\n$/);
  });

  test('a ¥1,000,000 disclosure fee is a warning with file:line:col and the rule id (38条2項)', async () => {
    const path = write('fee-line.yaml', base.replace('fee: { amount: 1000,', 'fee: { amount: 1000000,'));
    const r = await mamori(['lint', path]);
    assert.equal(r.code, 0);
    const line = base.split('\n').findIndex((l) => l.includes('fee: { amount: 1000,')) + 1;
    assert.match(r.stdout, new RegExp(`fee-line\\.yaml:${line}:\\d+ appi-38-fee-reasonable \\(warning\\)`));
  });

  test('a clean policy exits 0 and prints no finding', async () => {
    const r = await mamori(['lint', join(fixtures, 'base.yaml')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /no problems found/);
  });

  test('an APPI error exits 1 with file:line:col rule message pointing at the offending line', async () => {
    const file = write('fee.yaml', base.replace('    correction:\n      channels: [privacy_center]', '    correction:\n      channels: [privacy_center]\n      fee: { amount: 500, tax: included, payment: [card] }'));
    const r = await mamori(['lint', file]);
    assert.equal(r.code, 1);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 1, r.stdout);
    const feeLine = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes('fee: { amount: 500')) + 1;
    assert.match(lines[0] ?? '', new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${feeLine}:7 appi-38-fee-kind a fee is set for 訂正・追加・削除 \\(correction\\)`));
    assert.match(r.stderr, /1 error, 0 warnings/);
  });

  test('warnings alone exit 0 and are marked as warnings', async () => {
    const file = write('slow.yaml', base.replace('      delivery: [electronic, paper]', '      delivery: [electronic, paper]\n      target_days: 45'));
    const r = await mamori(['lint', file]);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /:\d+:7 appi-37-target-days \(warning\) requests\.kinds\.disclosure\.target_days is 45/);
  });

  test('--format json reports every issue with its position, rule and article', async () => {
    const file = write('json.yaml', base.replace(/  address: \{ ja: 東京都千代田区千代田1-1.*\n/, '').replace('    data: [email, access_log]', '    data: [email, access_log, emial]'));
    const r = await mamori(['lint', file, '--format', 'json']);
    assert.equal(r.code, 1);
    const report = jsonReport.parse(JSON.parse(r.stdout));
    assert.equal(report.ok, false);
    assert.equal(report.errors, 2);
    const rules = report.issues.map((i) => `${i.rule}@${i.line}:${i.col}`);
    const src = readFileSync(file, 'utf8').split('\n');
    const operatorLine = src.findIndex((l) => l.startsWith('operator:')) + 1;
    const dataLine = src.findIndex((l) => l.includes('emial')) + 1;
    const dataCol = (src[dataLine - 1] ?? '').indexOf('emial') + 1;
    assert.deepEqual(rules.sort(), [`appi-32-operator-address@${operatorLine}:1`, `appi-32-purpose-data-declared@${dataLine}:${dataCol}`].sort());
    assert.equal(report.issues.find((i) => i.rule === 'appi-32-operator-address')?.article, '32条1項1号');
    assert.match(report.issues.find((i) => i.rule === 'appi-32-purpose-data-declared')?.message ?? '', /did you mean "email"\?/);
  });

  test('a schema error names file:line:col and how to fix it', async () => {
    const file = write('typo.yaml', base.replace('  address: {', '  adress: {'));
    const r = await mamori(['lint', file]);
    assert.equal(r.code, 1);
    const line = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes('adress:')) + 1;
    assert.equal(r.stdout.trim(), `${file}:${line}:3 schema unknown key "adress" in operator: did you mean "address"?`);
  });

  test('a misspelled enum value suggests the closest one', async () => {
    const file = write('enum.yaml', base.replace('  kind: corporation', '  kind: corporaton'));
    const r = await mamori(['lint', file, '--format', 'json']);
    assert.equal(r.code, 1);
    const report = jsonReport.parse(JSON.parse(r.stdout));
    assert.equal(report.issues[0]?.rule, 'schema');
    assert.match(report.issues[0]?.message ?? '', /operator\.kind must be one of: "corporation", "individual", "association" \(did you mean "corporation"\?\)/);
  });

  test('--graph also checks the dataset graph against the policy', async () => {
    const clean = await mamori(['lint', join(fixtures, 'base.yaml'), '--graph', join(fixtures, 'graph-clean.yaml')]);
    assert.equal(clean.code, 0, clean.stdout);
    const r = await mamori(['lint', join(fixtures, 'base.yaml'), '--graph', join(fixtures, 'graph-with-phone.yaml')]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /graph-with-phone\.yaml:\d+:\d+ graph-undeclared-category .*"phone"/);
  });

  test('--rules lists every rule with its article', async () => {
    const r = await mamori(['lint', '--rules', '--format', 'json']);
    assert.equal(r.code, 0);
    const rules = z.array(z.object({ id: z.string(), severity: z.enum(['error', 'warning']), article: z.string(), summary: z.object({ ja: z.string(), en: z.string() }) })).parse(JSON.parse(r.stdout));
    assert.equal(rules.find((x) => x.id === 'appi-38-fee-kind')?.article, '38条1項');
  });

  test('usage errors exit 2', async () => {
    const none = await mamori(['lint']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /name the policy file/);
    const badFormat = await mamori(['lint', join(fixtures, 'base.yaml'), '--format', 'xml']);
    assert.equal(badFormat.code, 2);
    assert.match(badFormat.stderr, /--format must be text or json/);
    const missing = await mamori(['lint', join(dir, 'absent.yaml')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stdout, /absent\.yaml:1:1 io cannot read the file: ENOENT/);
  });
  test('checks several files in one run: a summary per file, exit 1 when any has an error, a JSON array', async () => {
    const broken = write('several-broken.yaml', base.replace('mamori: 1', 'mamori: 1\nunknown_top: x'));
    const clean = join(fixtures, 'base.yaml');
    const r = await mamori(['lint', clean, broken]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /base\.yaml: no problems found/);
    assert.match(r.stderr, /several-broken\.yaml: 1 error/);
    assert.match(r.stdout, /several-broken\.yaml:\d+:\d+ schema /);
    const ok = await mamori(['lint', clean, clean]);
    assert.equal(ok.code, 0, ok.stderr);
    const json = await mamori(['lint', clean, broken, '--format', 'json']);
    const reports = z.array(jsonReport).parse(JSON.parse(json.stdout));
    assert.deepEqual(reports.map((x) => x.ok), [true, false]);
    const withGraph = await mamori(['lint', clean, clean, '--graph', 'examples/misskey-server/datasets.yaml']);
    assert.equal(withGraph.code, 2);
    assert.match(withGraph.stderr, /--graph checks one dataset graph against one policy/);
  });
});
