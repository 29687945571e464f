import type { Browser, Page } from 'playwright-core';
import { MamoriError, registerErrorCodes } from '../errors.ts';
import type { Policy } from '../policy/schema.ts';
import { expectationsOf, type AuditExpectations } from './site-audit-expectations.ts';
import { GPC, RECORDER, hostOf, inflightOf, recordRequests, sameSiteLinks, settle, storageLog } from './page-observer.ts';
import { findingsOf } from './site-audit-findings.ts';
import { siteOf } from './site-of.ts';
import { auditPasses, type AuditPass, type ObservedCookie, type PageObservation, type PassObservation, type SiteAuditResult } from './site-audit-types.ts';

registerErrorCodes({
  MAMORI_SITE_AUDIT_BROWSER: { status: 500, message: 'Chromium could not be started for the site audit.' },
  MAMORI_SITE_AUDIT_URL: { status: 400, message: 'The site audit needs http(s) URLs of one site.' },
});

export interface SiteAuditOptions {
  /** Start pages, all of one site. */
  urls: string[];
  policy?: Policy;
  policyFile?: string;
  /** Pages to visit per pass, following same-site links from the start pages. Default 10. */
  maxPages?: number;
  /** CSS selectors of the reject-all / accept-all controls; default: mamori's consent.js banner. */
  rejectSelector?: string;
  acceptSelector?: string;
  /** Hosts that are the operator's own besides the audited site (e.g. where mamori runs). */
  ownHosts?: string[];
  /** Chromium binary; default `MAMORI_CHROMIUM` or /usr/bin/chromium. */
  chromiumPath?: string;
  /** Extra Chromium arguments (e.g. `--host-resolver-rules=…`). */
  chromiumArgs?: string[];
  /** How long to wait for a page's network to settle after load, ms. Default 1500. */
  settleMs?: number;
  clock?: () => Date;
}

const MAMORI_REJECT = '.mmr button[data-a="n"]';
const MAMORI_ACCEPT = '.mmr button[data-a="y"]';

const BASE_ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * Audits an operator's pages in real Chromium: crawls same-site links from the start URLs (up to `maxPages`) before
 * any choice, then visits the same pages after reject-all, after accept-all and with Global Privacy Control on, each
 * in a fresh profile. Every request to another site, every cookie and storage key is recorded and mapped to the
 * policy's declared transmissions and the tool catalog; the findings say where the pages break the policy.
 * @example const result = await runSiteAudit({ urls: ['https://www.example.jp/'], policy, maxPages: 20 });
 */
export async function runSiteAudit(opts: SiteAuditOptions): Promise<SiteAuditResult> {
  const clock = opts.clock ?? (() => new Date());
  const started = clock();
  const t0 = performance.now();
  const starts = opts.urls.map((u) => {
    let url: URL;
    try {
      url = new URL(u);
    } catch {
      throw new MamoriError('MAMORI_SITE_AUDIT_URL', `"${u}" is not a URL: give full addresses such as https://www.example.jp/`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new MamoriError('MAMORI_SITE_AUDIT_URL', `"${u}" is not an http(s) URL`);
    url.hash = '';
    return url;
  });
  if (starts.length === 0) throw new MamoriError('MAMORI_SITE_AUDIT_URL', 'give at least one URL to audit');
  const site = siteOf(starts[0]!.hostname);
  const other = starts.find((u) => siteOf(u.hostname) !== site);
  if (other) throw new MamoriError('MAMORI_SITE_AUDIT_URL', `${other.href} is on another site than ${starts[0]!.href}: audit one site at a time`);
  const expectations = expectationsOf(opts.policy);
  const ownHosts = new Set((opts.ownHosts ?? []).map((h) => h.toLowerCase()));
  const maxPages = Math.max(1, opts.maxPages ?? 10);

  let chromium: typeof import('playwright-core').chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    throw new MamoriError('MAMORI_SITE_AUDIT_BROWSER', 'mamori audit-site needs the playwright-core package: npm install playwright-core');
  }
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath: opts.chromiumPath ?? process.env.MAMORI_CHROMIUM ?? '/usr/bin/chromium', args: [...BASE_ARGS, ...(opts.chromiumArgs ?? [])] });
  } catch (err) {
    throw new MamoriError('MAMORI_SITE_AUDIT_BROWSER', `Chromium could not be started (${err instanceof Error ? err.message.split('\n')[0] : 'unknown error'}): install it (Debian: apt install chromium) or give --chromium PATH`);
  }
  try {
    const ctx: PassContext = { browser, site, ownHosts, expectations, settleMs: opts.settleMs ?? 1500 };
    // Passes run one after another: on a small shared machine, parallel profiles were slower, not faster.
    const passes: PassObservation[] = [];
    let pages = starts.map((u) => u.href);
    for (const pass of auditPasses) {
      const observed = await runPass(ctx, pass, pages, { crawl: pass === 'no_choice', maxPages, selector: selectorOf(pass, opts) });
      if (pass === 'no_choice') pages = observed.pages.map((p) => p.url);
      passes.push(observed);
    }
    return {
      mamori: 'site-audit/1',
      startedAt: started.toISOString(),
      durationMs: Math.round(performance.now() - t0),
      start: starts.map((u) => u.href),
      site,
      policy: opts.policy ? { file: opts.policyFile ?? null, inScope: expectations.inScope ?? null } : null,
      pages,
      passes,
      findings: findingsOf(passes, expectations),
    };
  } finally {
    await browser.close();
  }
}

function selectorOf(pass: AuditPass, opts: SiteAuditOptions): string | undefined {
  switch (pass) {
    case 'reject_all':
      return opts.rejectSelector ?? MAMORI_REJECT;
    case 'accept_all':
      return opts.acceptSelector ?? MAMORI_ACCEPT;
    case 'no_choice':
    case 'gpc':
      return undefined;
    default: {
      const never: never = pass;
      return never;
    }
  }
}

interface PassContext {
  browser: Browser;
  site: string;
  ownHosts: Set<string>;
  expectations: AuditExpectations;
  settleMs: number;
}

async function runPass(ctx: PassContext, pass: AuditPass, startPages: string[], opts: { crawl: boolean; maxPages: number; selector: string | undefined }): Promise<PassObservation> {
  const context = await ctx.browser.newContext({ locale: 'ja-JP', ...(pass === 'gpc' ? { extraHTTPHeaders: { 'Sec-GPC': '1' } } : {}) });
  try {
    await context.addInitScript({ content: RECORDER });
    if (pass === 'gpc') await context.addInitScript({ content: GPC });
    inflightOf(context);
    const page = await context.newPage();
    const recorder = recordRequests(ctx, context, page);
    // Cookies written while a page is shown, even if something deletes them again before the page settles.
    let httpCookies: Array<{ name: string; domain: string; host: string }> = [];
    context.on('response', (res) => {
      void res.headerValue('set-cookie').then((v) => {
        if (!v) return;
        const host = new URL(res.url()).hostname;
        for (const line of v.split('\n')) {
          if (/max-age=(0|-)/i.test(line)) continue;
          const domain = /;\s*domain=\.?([^;]+)/i.exec(line)?.[1]?.trim() ?? host;
          httpCookies.push({ name: line.split('=')[0]!.trim(), domain, host });
        }
      }).catch(() => {});
    });
    let choiceMade: boolean | null = null;
    if (opts.selector !== undefined) {
      choiceMade = await makeChoice(page, startPages[0]!, opts.selector);
      await settle(page, ctx.settleMs);
    }
    // Storage written around the choice (e.g. mamori_consent) is listed with the first page; cookie writes from
    // before the click are not, since only what is written after the choice counts against it.
    let carried = opts.selector !== undefined ? await storageLog(page) : undefined;
    // Cookies still there after the choice count on the first page: reject-all must have removed them.
    const known = new Set<string>();
    const queue = [...startPages];
    const queued = new Set(queue);
    const pages: PageObservation[] = [];
    while (queue.length > 0 && pages.length < opts.maxPages) {
      const url = queue.shift()!;
      recorder.reset();
      httpCookies = [];
      let status: number | null = null;
      let error: string | null = null;
      try {
        const res = await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
        status = res?.status() ?? null;
        await settle(page, ctx.settleMs);
      } catch (err) {
        error = err instanceof Error ? (err.message.split('\n')[0] ?? 'error') : 'error';
      }
      const storage = await storageLog(page);
      if (carried) {
        for (const item of carried.items) if (!storage.items.some((i) => i.area === item.area && i.key === item.key)) storage.items.unshift(item);
        carried = undefined;
      }
      const cookies: ObservedCookie[] = [];
      const note = (name: string, rawDomain: string, setBy: string | undefined) => {
        const domain = rawDomain.replace(/^\./, '');
        const key = `${domain}|${name}`;
        if (known.has(key)) return;
        known.add(key);
        cookies.push({ name, domain, setBy: setBy ?? httpCookies.find((h) => h.name === name)?.host ?? domain, thirdParty: siteOf(domain) !== ctx.site });
      };
      for (const c of await context.cookies()) note(c.name, c.domain, storage.cookieSetters.get(c.name));
      const pageHost = hostOf(url);
      for (const [name, by] of storage.cookieSetters) note(name, pageHost, by);
      for (const h of httpCookies) note(h.name, h.domain, h.host);
      pages.push({ url, status, error, requests: recorder.take(), cookies, storage: storage.items });
      if (opts.crawl && error === null) {
        for (const link of await sameSiteLinks(page, ctx.site)) {
          if (queued.has(link)) continue;
          queued.add(link);
          queue.push(link);
        }
      }
    }
    return { pass, choiceMade, pages };
  } finally {
    await context.close();
  }
}

/** Opens the first page and clicks the choice control; false when it does not appear. */
async function makeChoice(page: Page, url: string, selector: string): Promise<boolean> {
  try {
    await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
    const control = page.locator(selector).first();
    await control.waitFor({ state: 'visible', timeout: 5_000 });
    await control.click();
    return true;
  } catch {
    return false;
  }
}
