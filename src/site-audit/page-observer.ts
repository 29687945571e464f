import type { BrowserContext, Page, Request } from 'playwright-core';
import { matchHost, type AuditExpectations } from './site-audit-expectations.ts';
import { pathWithoutValues, siteOf } from './site-of.ts';
import type { ObservedRequest, ObservedStorage } from './site-audit-types.ts';

/**
 * What the audit watches inside one Chromium profile: requests to other sites with their initiator, cookie and
 * storage writes with the script that made them, when a page has settled, and the page's same-site links.
 */

/** The audited site, the operator's other hosts, and the policy's expectations (to name each request's tool). */
export interface ObserverScope {
  site: string;
  ownHosts: Set<string>;
  expectations: AuditExpectations;
}

/**
 * Records who set cookies and storage: wraps `document.cookie` and `Storage.setItem` and notes the first script URL
 * on the stack. A string, not a function, so the page gets exactly this code.
 */
export const RECORDER = `(() => {
  const log = [];
  Object.defineProperty(window, '__mamoriAudit', { value: log });
  const who = () => { const lines = (new Error().stack || '').split('\\n').slice(2); for (const l of lines) { const m = l.match(/(https?:\\/\\/[^\\s)]+?):\\d+:\\d+/); if (m) return m[1]; } return location.href; };
  const d = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie');
  if (d && d.set) Object.defineProperty(Document.prototype, 'cookie', { configurable: true, get() { return d.get.call(this); }, set(v) { try { const t = String(v); const exp = /expires=([^;]+)/i.exec(t); if (!/max-age=(0|-)/i.test(t) && !(exp && Date.parse(exp[1]) < Date.now())) log.push(['cookie', t.split('=')[0].trim(), who()]); } catch (e) {} d.set.call(this, v); } });
  const si = Storage.prototype.setItem;
  Storage.prototype.setItem = function (k, v) { try { log.push([this === window.localStorage ? 'local' : 'session', String(k), who()]); } catch (e) {} return si.call(this, k, v); };
})();`;

/** Global Privacy Control as a browser that sends it exposes it to scripts (the header is set on the profile). */
export const GPC = "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: function () { return true; } });";

/** Quiet time that counts as settled: tags usually fire their beacons well within it. */
const QUIET_MS = 300;

/**
 * Waits until no request of the profile has been in flight for {@link QUIET_MS}, at most `ms`: a shorter quiet period
 * than Playwright's networkidle (500 ms). On the loaded 2-core machine it was written on, the benchmark could not
 * tell the two apart (load average 15–18 swamped the difference); re-measure on a quiet machine.
 */
export async function settle(page: Page, ms: number): Promise<void> {
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
export function inflightOf(context: BrowserContext): { count: number } {
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
export function recordRequests(ctx: ObserverScope, context: BrowserContext, page: Page): { reset(): void; take(): ObservedRequest[] } {
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

export async function storageLog(page: Page): Promise<{ items: ObservedStorage[]; cookieSetters: Map<string, string> }> {
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

export function hostOf(u: string): string {
  try {
    return new URL(u).hostname;
  } catch {
    return u;
  }
}

export async function sameSiteLinks(page: Page, site: string): Promise<string[]> {
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
