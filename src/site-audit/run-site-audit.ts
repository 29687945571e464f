import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { MamoriError, registerErrorCodes } from '../errors.ts';
import type { Policy } from '../policy/schema.ts';
import { expectationsOf, matchHost, type AuditExpectations } from './site-audit-expectations.ts';
import { findingsOf } from './site-audit-findings.ts';
import { pathWithoutValues, siteOf } from './site-of.ts';
import { auditPasses, type AuditPass, type ObservedCookie, type ObservedRequest, type ObservedStorage, type PageObservation, type PassObservation, type SiteAuditResult } from './site-audit-types.ts';

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
 * Records who set cookies and storage: wraps `document.cookie` and `Storage.setItem` and notes the first script URL
 * on the stack. A string, not a function, so the page gets exactly this code.
 */
const RECORDER = `(() => {
  const log = [];
  Object.defineProperty(window, '__mamoriAudit', { value: log });
  const who = () => { const lines = (new Error().stack || '').split('\\n').slice(2); for (const l of lines) { const m = l.match(/(https?:\\/\\/[^\\s)]+?):\\d+:\\d+/); if (m) return m[1]; } return location.href; };
  const d = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie');
  if (d && d.set) Object.defineProperty(Document.prototype, 'cookie', { configurable: true, get() { return d.get.call(this); }, set(v) { try { const t = String(v); const exp = /expires=([^;]+)/i.exec(t); if (!/max-age=(0|-)/i.test(t) && !(exp && Date.parse(exp[1]) < Date.now())) log.push(['cookie', t.split('=')[0].trim(), who()]); } catch (e) {} d.set.call(this, v); } });
  const si = Storage.prototype.setItem;
  Storage.prototype.setItem = function (k, v) { try { log.push([this === window.localStorage ? 'local' : 'session', String(k), who()]); } catch (e) {} return si.call(this, k, v); };
})();`;

const GPC = "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: function () { return true; } });";

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

/** Quiet time that counts as settled: tags usually fire their beacons well within it. */
const QUIET_MS = 300;

/**
 * Waits until no request of the profile has been in flight for {@link QUIET_MS}, at most `ms`. Shorter than
 * Playwright's networkidle (500 ms), which dominated the time per page.
 */
async function settle(page: Page, ms: number): Promise<void> {
  const inflight = inflightOf(page.context());
  const deadline = Date.now() + ms;
  let quietSince = inflight.count === 0 ? Date.now() : 0;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    if (inflight.count > 0) quietSince = 0;
    else if (quietSince === 0) quietSince = Date.now();
    else if (Date.now() - quietSince >= QUIET_MS) return;
  }
}

const inflightCounters = new WeakMap<BrowserContext, { count: number }>();

/** Requests in flight in a profile, counted from its request events (long-lived connections never finish, hence the cap in settle). */
function inflightOf(context: BrowserContext): { count: number } {
  let counter = inflightCounters.get(context);
  if (!counter) {
    const c = { count: 0 };
    counter = c;
    inflightCounters.set(context, c);
    context.on('request', () => { c.count += 1; });
    context.on('requestfinished', () => { c.count = Math.max(0, c.count - 1); });
    context.on('requestfailed', () => { c.count = Math.max(0, c.count - 1); });
  }
  return counter;
}

/** Records requests to other sites (the operator's own hosts and mamori's consent.js host excepted). */
function recordRequests(ctx: PassContext, context: BrowserContext, page: Page): { reset(): void; take(): ObservedRequest[] } {
  let current = new Map<string, ObservedRequest & { url: string }>();
  const initiators = new Map<string, string>();
  void context.newCDPSession(page).then(async (cdp) => {
    cdp.on('Network.requestWillBeSent', (e: { request: { url: string }; initiator: { type: string; url?: string; stack?: { callFrames: Array<{ url: string }> } } }) => {
      const frame = e.initiator.stack?.callFrames.find((f) => f.url)?.url ?? e.initiator.url;
      if (frame) initiators.set(e.request.url, stripQuery(frame));
    });
    await cdp.send('Network.enable');
  }).catch(() => {});
  const own = (host: string) => siteOf(host) === ctx.site || ctx.ownHosts.has(host);
  context.on('request', (req: Request) => {
    let url: URL;
    try {
      url = new URL(req.url());
    } catch {
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return;
    const host = url.hostname.toLowerCase();
    // mamori's own consent.js is the operator's privacy service wherever it runs.
    if (url.pathname.endsWith('/consent.js')) ctx.ownHosts.add(host);
    if (own(host)) return;
    const path = pathWithoutValues(url);
    const key = `${host}${path}`;
    if (current.has(key)) return;
    const match = matchHost(ctx.expectations, host);
    let frameUrl = '';
    try {
      frameUrl = stripQuery(req.frame().url());
    } catch {
      frameUrl = '';
    }
    current.set(key, { url: req.url(), host, path, initiator: frameUrl, type: req.resourceType(), tool: match.kind === 'unknown' ? null : match.transmission.id });
  });
  return {
    reset: () => {
      current = new Map();
    },
    take: () => {
      // The DevTools initiator arrives on its own channel, so it is read when the page is done, not per request.
      const out = [...current.values()].map(({ url, ...r }): ObservedRequest => ({ ...r, initiator: initiators.get(url) ?? r.initiator }));
      initiators.clear();
      current = new Map();
      return out;
    },
  };
}

function stripQuery(u: string): string {
  try {
    const url = new URL(u);
    return `${url.origin}${url.pathname}`;
  } catch {
    return u;
  }
}

async function storageLog(page: Page): Promise<{ items: ObservedStorage[]; cookieSetters: Map<string, string> }> {
  const items: ObservedStorage[] = [];
  const cookieSetters = new Map<string, string>();
  for (const frame of page.frames()) {
    let log: unknown;
    try {
      log = await frame.evaluate('window.__mamoriAudit ? window.__mamoriAudit.splice(0) : []');
    } catch {
      continue;
    }
    if (!Array.isArray(log)) continue;
    for (const entry of log) {
      if (!Array.isArray(entry) || entry.length !== 3) continue;
      const [area, key, by] = entry.map(String) as [string, string, string];
      const setBy = hostOf(by);
      if (area === 'cookie') cookieSetters.set(key, setBy);
      else if ((area === 'local' || area === 'session') && !items.some((i) => i.area === area && i.key === key)) items.push({ area, key, setBy });
    }
  }
  return { items, cookieSetters };
}

function hostOf(u: string): string {
  try {
    return new URL(u).hostname;
  } catch {
    return u;
  }
}

async function sameSiteLinks(page: Page, site: string): Promise<string[]> {
  let hrefs: unknown;
  try {
    hrefs = await page.evaluate('Array.from(document.querySelectorAll("a[href]"), (a) => a.href)');
  } catch {
    return [];
  }
  if (!Array.isArray(hrefs)) return [];
  const out: string[] = [];
  for (const h of hrefs) {
    try {
      const u = new URL(String(h));
      if ((u.protocol !== 'http:' && u.protocol !== 'https:') || siteOf(u.hostname) !== site) continue;
      u.hash = '';
      if (!out.includes(u.href)) out.push(u.href);
    } catch {
      continue;
    }
  }
  return out;
}
