import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPolicyFile } from '../../src/policy/load-policy.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import { runSiteAudit } from '../../src/site-audit/run-site-audit.ts';
import type { SiteAuditResult } from '../../src/site-audit/site-audit-types.ts';
import { createTestStore, type TestStore } from '../support/stores.ts';
import { runMamori } from '../support/cli.ts';
import { startLoopbackSite, type LoopbackSite } from './loopback-site.ts';
import { latestSiteAudits, SITE_AUDIT_JOB, siteAuditScheduleFromEnv, siteAuditSlot, startSiteAuditSchedule } from '../../src/site-audit/site-audit-schedule.ts';
import { openStore } from '../../src/store/store.ts';
import { createStaffUser } from '../../src/staff/staff-users.ts';
import { verifyAuditLog } from '../../src/audit/audit-log.ts';
import { signIn } from '../staff/console-helpers.ts';
import { chromium } from 'playwright-core';

const CHROMIUM_ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const policyPath = fileURLToPath(new URL('../fixtures/site-audit/policy.yaml', import.meta.url));

describe('mamori audit-site against loopback sites in Chromium', () => {
  let site: LoopbackSite;
  let mamori: RunningServer;
  let store: TestStore;
  let dataDir: string;
  const loaded = loadPolicyFile(policyPath);
  if (!loaded.ok) throw new Error('fixture policy does not load');
  const policy = loaded.loaded.policy;

  before(async () => {
    site = await startLoopbackSite(() => new URL(mamori.url).port as unknown as number);
    store = await createTestStore('sqlite');
    dataDir = mkdtempSync(join(tmpdir(), 'mamori-audit-site-'));
    mamori = await startServer({ policy: loaded.loaded, store, env: {}, outboxIntervalMs: 0, config: { port: 0, host: '127.0.0.1', secret: Buffer.alloc(32, 5), dataDir, corsOrigins: [site.origin] } });
  });
  after(async () => {
    await mamori?.close();
    await store?.drop();
    await site?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const audit = (path: string, pages = 2): Promise<SiteAuditResult> =>
    runSiteAudit({ urls: [`${site.origin}${path}`], policy, maxPages: pages, chromiumArgs: [`--host-resolver-rules=${site.hostRules}`], settleMs: 800 });
  const kinds = (r: SiteAuditResult) => r.findings.map((f) => `${f.kind}:${f.tool ?? f.host ?? ''}${f.cookie ? `:${f.cookie}` : ''}`);

  test('a compliant page using mamori\'s consent.js has no findings; its tags run only after accept-all', async () => {
    const r = await audit('/ok/1');
    assert.deepEqual(kinds(r), []);
    assert.deepEqual(r.pages, [`${site.origin}/ok/1`, `${site.origin}/ok/2`]);
    const hostsIn = (pass: string) => [...new Set(r.passes.find((p) => p.pass === pass)!.pages.flatMap((p) => p.requests.map((q) => q.host)))].sort();
    assert.deepEqual(hostsIn('no_choice'), ['ads.test'], 'the ad purpose is an opt-out: on until refused');
    assert.deepEqual(hostsIn('reject_all'), []);
    assert.deepEqual(hostsIn('accept_all'), ['ads.test', 'analytics.test']);
    assert.deepEqual(hostsIn('gpc'), [], 'GPC keeps the ad tag back, and analytics waits for consent');
    const accept = r.passes.find((p) => p.pass === 'accept_all')!;
    const collect = accept.pages.flatMap((p) => p.requests).find((q) => q.path.startsWith('/collect'));
    assert.equal(collect?.path, '/collect?cid=&page=', 'query values are dropped from the report');
    assert.equal(collect?.tool, 'loop_analytics');
    const tag = accept.pages.flatMap((p) => p.requests).find((q) => q.path === '/tag.js');
    assert.match(tag?.initiator ?? '', /privacy\.shop\.test:\d+\/consent\.js$/, 'the held-back tag is released by consent.js');
    const cookie = accept.pages.flatMap((p) => p.cookies).find((c) => c.name === '_la_id');
    assert.equal(cookie?.setBy, 'analytics.test', 'a cookie written by a third-party script is attributed to its host');
    assert.ok(accept.pages.flatMap((p) => p.storage).some((s) => s.key === 'mamori_consent'));
  });

  test('a tag loaded before consent is reported before consent and after reject, with its cookie', async () => {
    const r = await audit('/early/1');
    assert.deepEqual(kinds(r), ['before_consent:Loopback Analytics', 'after_reject:Loopback Analytics', 'cookie_after_reject:analytics.test:_la_id']);
    assert.deepEqual(r.findings[0]?.pages, [`${site.origin}/early/1`, `${site.origin}/early/2`]);
  });

  test('an embed the policy does not declare is an undeclared transmission', async () => {
    const r = await audit('/embed/1', 1);
    assert.deepEqual(kinds(r), ['undeclared_transmission:embed.test']);
    assert.match(r.findings[0]?.message ?? '', /外部送信/);
  });

  test('a page that ignores Global Privacy Control is reported; reject-all is still honoured', async () => {
    const r = await audit('/gpc/1', 1);
    assert.deepEqual(kinds(r), ['gpc_not_honoured:Loopback Ads']);
  });

  test('a declared tool the pages never load is reported, and a missing banner says the choice was not made', async () => {
    const r = await runSiteAudit({ urls: [`${site.origin}/ok/1`], policy, maxPages: 1, rejectSelector: '#no-such-button', chromiumArgs: [`--host-resolver-rules=${site.hostRules}`], settleMs: 500 });
    assert.ok(kinds(r).includes('choice_not_found:'));
    const noPolicy = await runSiteAudit({ urls: [`${site.origin}/early/1`], maxPages: 1, chromiumArgs: [`--host-resolver-rules=${site.hostRules}`], settleMs: 500 });
    assert.deepEqual(kinds(noPolicy), ['cookie_after_reject:analytics.test:_la_id'], 'without a policy no cookie is known to be needed, and a custom host is not in the catalog');
    const stale = structuredClone(policy);
    stale.tools.push({ id: 'gone', catalog: 'custom', name: 'Old Tracker', provider: 'Old K.K.', purpose: 'analytics', self_hosted: false, collects: ['pages'], transmissions: [{ hosts: ['old.test'] }] });
    const r2 = await runSiteAudit({ urls: [`${site.origin}/ok/1`], policy: stale, maxPages: 1, chromiumArgs: [`--host-resolver-rules=${site.hostRules}`], settleMs: 500 });
    assert.deepEqual(kinds(r2), ['declared_not_seen:Old Tracker']);
  });

  test('the command exits 1 on findings and writes an HTML report with a per-page table, 0 when clean', async () => {
    const out = join(dataDir, 'audit.html');
    const bad = await runMamori(['audit-site', `${site.origin}/embed/1`, '--policy', policyPath, '--pages', '1', '--format', 'html', '--out', out, '--host-rules', site.hostRules, '--settle-ms', '500']);
    assert.equal(bad.code, 1, bad.stderr);
    const report = readFileSync(out, 'utf8');
    assert.match(report, /未記載の外部送信/);
    assert.match(report, /<code>embed.test<\/code>/);
    assert.match(report, /すべて拒否の後 \/ After reject-all/);
    assert.match(bad.stderr, /undeclared_transmission/);
    const good = await runMamori(['audit-site', `${site.origin}/ok/1`, '--policy', policyPath, '--pages', '1', '--format', 'json', '--host-rules', site.hostRules, '--settle-ms', '500']);
    assert.equal(good.code, 0, good.stderr);
    const json = JSON.parse(good.stdout) as SiteAuditResult;
    assert.equal(json.mamori, 'site-audit/1');
    assert.deepEqual(json.findings, []);
    assert.equal((await runMamori(['audit-site', 'ftp://shop.test/'])).code, 1);
    assert.equal((await runMamori(['audit-site', '--pages', 'x', site.origin])).code, 2);
  });

  test('scheduled from the server: the run is recorded in the audit log and its findings shown in the console', async () => {
    const schedule = siteAuditScheduleFromEnv({ MAMORI_SITE_AUDIT_URLS: `${site.origin}/early/1`, MAMORI_SITE_AUDIT_PAGES: '1', MAMORI_SITE_AUDIT_HOST_RULES: site.hostRules });
    assert.ok(schedule);
    const running = startSiteAuditSchedule(mamori.ctx, schedule, { firstRunMs: 0 });
    let runs: Awaited<ReturnType<typeof latestSiteAudits>> = [];
    for (let i = 0; i < 600 && runs.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      runs = await latestSiteAudits(mamori.ctx);
    }
    await running.stop();
    assert.equal(runs.length, 1);
    assert.deepEqual(runs[0]?.summary.findings.map((f) => f.kind), ['before_consent', 'after_reject', 'cookie_after_reject']);
    assert.equal((await verifyAuditLog(store.db)).ok, true);

    await createStaffUser(store.db, mamori.ctx.clock, { email: 'auditor@example.jp', role: 'auditor', password: 'correct horse battery staple', actor: 'cli' });
    const { jar } = await signIn(mamori.url, 'auditor@example.jp', 'correct horse battery staple');
    const res = await fetch(`${mamori.url}/console/site-audit`, { headers: { cookie: jar.header(), accept: 'text/html' } });
    assert.equal(res.status, 200);
    const page = await res.text();
    assert.match(page, /サイト監査/);
    assert.match(page, /同意前の送信/);
    assert.match(page, /拒否後の Cookie/);
    assert.match(page, /<code>_la_id<\/code>/);
    assert.equal((await fetch(`${mamori.url}/console/site-audit`, { redirect: 'manual' })).status >= 300, true, 'staff only');

    assert.throws(() => siteAuditScheduleFromEnv({ MAMORI_SITE_AUDIT_URLS: 'ftp://x', MAMORI_SITE_AUDIT_PAGES: '1' }), /MAMORI_SITE_AUDIT_URLS/);
    assert.throws(() => siteAuditScheduleFromEnv({ MAMORI_SITE_AUDIT_URLS: site.origin, MAMORI_SITE_AUDIT_HOURS: 'soon' }), /MAMORI_SITE_AUDIT_HOURS/);
    assert.equal(siteAuditScheduleFromEnv({}), undefined);
  });

  test('two instances offered the same period\'s audit at once: one audits, the other finds it busy, then done', async () => {
    const schedule = siteAuditScheduleFromEnv({ MAMORI_SITE_AUDIT_URLS: `${site.origin}/early/1`, MAMORI_SITE_AUDIT_PAGES: '1', MAMORI_SITE_AUDIT_HOST_RULES: site.hostRules });
    assert.ok(schedule);
    await store.db.deleteFrom('scheduled_jobs').where('name', '=', SITE_AUDIT_JOB).execute(); // this period again, from nothing
    const before = (await latestSiteAudits(mamori.ctx, 100)).length;
    // The second instance: its own connection to the same database, its own schedule (no timer fires in this test).
    const second = await openStore(store.url);
    const runners = [startSiteAuditSchedule(mamori.ctx, schedule, { firstRunMs: 3600_000 }), startSiteAuditSchedule({ ...mamori.ctx, store: second }, schedule, { firstRunMs: 3600_000 })];
    try {
      const outcomes = await Promise.all(runners.map((r) => r.tickOnce()));
      assert.deepEqual([...outcomes].sort(), ['busy', 'ran'], JSON.stringify(outcomes));
      assert.deepEqual(await Promise.all(runners.map((r) => r.tickOnce())), ['done', 'done']);
      assert.equal((await latestSiteAudits(mamori.ctx, 100)).length, before + 1, 'one audit recorded');
      const job = await store.db.selectFrom('scheduled_jobs').selectAll().where('name', '=', SITE_AUDIT_JOB).executeTakeFirstOrThrow();
      assert.equal(job.last_slot, siteAuditSlot(mamori.ctx.clock.now(), schedule.everyHours));
      assert.equal(job.lease_owner, null, 'the lease is given back when the audit ends');
    } finally {
      for (const r of runners) await r.stop();
      await second.close();
    }
  });

  test('the banner\'s settings view shows each transmission\'s recipient and information, and links to the 外部送信 page', async () => {
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS, `--host-resolver-rules=${site.hostRules}`] });
    try {
      const page = await (await browser.newContext({ locale: 'ja-JP' })).newPage();
      await page.goto(`${site.origin}/ok/1`);
      await page.getByRole('region', { name: 'Cookie 等の利用について' }).getByRole('button', { name: '詳細を設定する' }).click();
      const dialog = page.getByRole('dialog');
      const text = (await dialog.textContent()) ?? '';
      assert.match(text, /Loopback Analytics 送信先: 株式会社ループ解析 送信される情報: 閲覧したページ、Cookie による識別子/);
      assert.match(text, /送信先: 株式会社ループ広告/);
      const link = dialog.getByRole('link', { name: '外部送信について' });
      assert.equal(await link.getAttribute('href'), `${mamori.ctx.config.baseUrl}/privacy/external-transmissions`);
      assert.equal(await dialog.getByRole('link', { name: '停止の方法' }).getAttribute('href'), 'https://shop.test/settings');
    } finally {
      await browser.close();
    }
  });
});
