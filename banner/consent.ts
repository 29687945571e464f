// consent.js: mamori's consent banner. Served at /consent.js with the policy's config inlined as MAMORI_CONFIG; the
// settings dialog's longer texts (descriptions, recipients, links) are fetched when it first opens (prefetched while
// the bar shows), from /api/v1/consent/texts, cached per consent version, so the script stays within its budget.
// Use: put `<script src="https://<mamori>/consent.js"></script>` first in <head> (before any tag), then hold tags back:
//   <script type="text/plain" data-mamori-purpose="analytics" src="…"></script>  (data-type="module" if needed)
//   <iframe data-mamori-purpose="embeds" data-src="…"></iframe>, <img data-mamori-purpose="ads" data-src="…">
// where the value is a purpose id of the policy. `[data-mamori-open]` elements and `mamori.open()` reopen the choices;
// On a signed-in page, `data-assertion="<signed assertion>"` on the script tag records choices for that user.
// A tag may also name one tool of its purpose (`data-mamori-tool="ga"`): it then also waits for that tool's own switch.
// `mamori.allowed(purpose, tool?)` answers for the page; a `mamori:consent` event reaches window (it bubbles from
// document) on load and after each choice, with `detail: { version, purposes: {id: bool}, tools: {id: bool} }`.
// `data-reopen` on the script tag adds a small floating button that reopens the settings after a choice.
// Budget: 6 KB gzip for JS and CSS together (scripts/build-client.mjs and a test enforce it), so the code is terse.
// Fails open: any error is swallowed, so the host page keeps working (blocked tags simply stay blocked).
import type { ClientConfig, ClientPurpose, ClientTexts } from '../src/consent/client-config.ts';

declare const MAMORI_CONFIG: ClientConfig;

type Choices = Record<string, 0 | 1>;
interface Saved {
  v: string;
  id: string;
  c: Choices;
}
interface Host {
  dataLayer?: unknown[];
  gtag?: (...args: unknown[]) => void;
  mamori?: { open(): void; allowed(purpose: string, tool?: string): boolean; version: string };
}

const KEY = 'mamori_consent';
const SIGNALS = ['ad_storage', 'analytics_storage', 'ad_user_data', 'ad_personalization'];
const w = window as unknown as Host & Window;
const d = document;

// [ja, en]
const T = {
  title: ['Cookie 等の利用について', 'How we use cookies'],
  lead: [
    'サービスの提供に必要なもののほか、次の目的で Cookie 等により情報を取得・利用することがあります。許可するかどうかはいつでも変更できます。',
    'Besides what the service needs, we may collect and use information with cookies and similar technologies for the purposes below. You can change your choice at any time.',
  ],
  all: ['すべて許可する', 'Allow all'],
  none: ['すべて拒否する', 'Reject all'],
  more: ['詳細を設定する', 'Choose'],
  save: ['選択を保存する', 'Save choices'],
  req: ['常に有効', 'Always on'],
  col: ['送信される情報', 'Information sent'],
  to: ['送信先', 'Sent to'],
  opt: ['停止の方法', 'How to opt out'],
  ext: ['外部送信について', 'External transmissions'],
  pol: ['プライバシーポリシー', 'Privacy policy'],
  close: ['閉じる', 'Close'],
  set: ['Cookie 設定', 'Cookie settings'],
};

const CSS =
  '.mmr{position:fixed;z-index:2147483000;inset:auto 0 0 0;max-height:90vh;overflow:auto;background:#fff;color:#1d2330;border-top:1px solid #c9ced8;box-shadow:0 -4px 16px #0002;font:15px/1.7 system-ui,sans-serif;padding:16px 20px}' +
  '.mmr *{box-sizing:border-box;font:inherit;color:inherit}.mmr h2{font-size:17px;font-weight:700;margin:0 0 6px}.mmr p{margin:0 0 10px}' +
  '.mmr button{cursor:pointer;border:1px solid #1f5fbf;border-radius:4px;padding:7px 14px;margin:4px 8px 0 0;background:#1f5fbf;color:#fff}.mmr button.s{background:#fff;color:#1f5fbf}' +
  '.mmr :focus-visible{outline:3px solid #f0b400;outline-offset:2px}.mmr fieldset{border:1px solid #d9dde5;border-radius:4px;margin:8px 0;padding:6px 10px}' +
  '.mmr small{display:block;color:#505969}.mmr a{color:#1f5fbf}.mmr label{font-weight:700}.mmr .tl{display:block;font-weight:400;margin-left:20px}' +
  '.mmr-f{position:fixed;z-index:2147483000;left:12px;bottom:12px;border:1px solid #1f5fbf;border-radius:20px;padding:6px 12px;background:#fff;color:#1f5fbf;font:13px system-ui,sans-serif;cursor:pointer}' +
  // Dark pages get a dark bar: the same layout, colours chosen for 4.5:1 contrast on the dark background.
  '@media(prefers-color-scheme:dark){.mmr,.mmr-f{background:#1b1f27;color:#e6e9ef;border-color:#4a5264}.mmr small{color:#b4bbc8}.mmr a,.mmr-f{color:#9cc2ff}' +
  '.mmr button{background:#9cc2ff;border-color:#9cc2ff;color:#10141b}.mmr button.s{background:#1b1f27;color:#9cc2ff}.mmr fieldset{border-color:#4a5264}}';

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';');

function load(): Saved | null {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) || 'null');
    return v && typeof v.v == 'string' && typeof v.id == 'string' && v.c ? v : null;
  } catch (e) {
    return null;
  }
}

function anonId(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  let s = 'anon_';
  for (let i = 0; i < 16; i++) s += (b[i]! % 36).toString(36);
  return s + Date.now().toString(36);
}

function start(cfg: ClientConfig, base: string, assertion?: string, reopen?: boolean): void {
  const L = /^en/i.test(d.documentElement.lang || navigator.language || '') ? 1 : 0;
  const t = (k: keyof typeof T): string => T[k][L]!;
  const gpc = (navigator as Navigator & { globalPrivacyControl?: boolean }).globalPrivacyControl === true;
  const purposes = cfg.p;
  const choosable = purposes.filter((p) => p.c);
  let saved = load();
  const id = saved ? saved.id : anonId();
  const fresh = (): boolean => !!saved && saved.v === cfg.v;
  // The dialog's texts: asked once; a failure leaves the dialog with names and switches only.
  let tx: ClientTexts | undefined;
  let got = false;
  let asked: Promise<void> | undefined;
  const texts = (): Promise<void> =>
    (asked =
      asked ||
      fetch(base + '/api/v1/consent/texts?v=' + encodeURIComponent(cfg.v), { credentials: 'omit' })
        .then((r) => r.json())
        .then((j: ClientTexts) => {
          tx = j;
        })
        .catch(() => {})
        .then(() => {
          got = true;
        }));

  // Refusals outlive a policy change; a yes counts only for the version it was given for; GPC always wins.
  const allowed = (p: ClientPurpose): boolean => {
    if (!p.c) return true;
    if (gpc && p.g) return false;
    const c = saved && saved.c[p.i];
    return c === 0 ? false : c === 1 && fresh() ? true : p.c === 2;
  };
  // A tool runs when its purpose is allowed and the person has not switched that one tool off.
  const toolOn = (p: ClientPurpose, tool: string): boolean => allowed(p) && !(saved && saved.c[p.i + '/' + tool] === 0);
  const byId = (i: string, tool?: string): boolean => purposes.some((p) => p.i === i && (tool ? toolOn(p, tool) : allowed(p)));
  const clear = (names: string[], k: string): void => {
    const host = location.hostname.split('.');
    for (const n of names) {
      if (k[k.length - 1] == '*' ? n.indexOf(k.slice(0, -1)) : n != k) continue;
      for (let i = 0; i < host.length; i++) {
        const dm = host.slice(i).join('.');
        d.cookie = n + '=;Max-Age=0;path=/' + (i ? ';domain=.' + dm : '');
        d.cookie = n + '=;Max-Age=0;path=/;domain=' + dm;
      }
    }
  };

  function apply(fire?: boolean): void {
    const state: Record<string, string> = {};
    for (const s of SIGNALS) state[s] = purposes.some((p) => p.s.indexOf(s) >= 0 && allowed(p)) ? 'granted' : 'denied';
    w.gtag!('consent', 'update', state);
    d.querySelectorAll<HTMLElement>('[data-mamori-purpose]').forEach((el) => {
      if (!byId(el.dataset.mamoriPurpose || '', el.dataset.mamoriTool)) return;
      el.removeAttribute('data-mamori-purpose');
      if (el instanceof HTMLScriptElement) {
        const s = d.createElement('script');
        for (const a of Array.from(el.attributes)) if (a.name != 'type') s.setAttribute(a.name, a.value);
        if (el.dataset.type) s.type = el.dataset.type;
        s.async = false; // held-back scripts with src run in document order, as they would have without us
        s.text = el.text;
        el.replaceWith(s);
      } else if (el.dataset.src) el.setAttribute('src', el.dataset.src);
    });
    // Remove the first-party cookies (the only ones a page can see) of refused purposes and refused tools, on every
    // host suffix (e.g. www.example.jp, .example.jp).
    const names = d.cookie.split(';').map((c) => c.split('=')[0]!.trim());
    const on: Record<string, boolean> = {};
    const tools: Record<string, boolean> = {};
    for (const p of purposes) {
      on[p.i] = allowed(p);
      if (!on[p.i]) for (const k of p.k) clear(names, k);
      for (const x of p.t) if (!(tools[x.i] = toolOn(p, x.i))) for (const k of x.k) clear(names, k);
    }
    if (fire) d.dispatchEvent(new CustomEvent('mamori:consent', { bubbles: true, detail: { version: cfg.v, purposes: on, tools } }));
  }

  function record(choices: Choices, method: string): void {
    const prev = saved ? saved.c : {};
    const c: Choices = {};
    for (const k in prev) if (fresh() || prev[k] === 0) c[k] = prev[k]!;
    for (const k in choices) c[k] = choices[k]!;
    saved = { v: cfg.v, id, c };
    try {
      localStorage.setItem(KEY, JSON.stringify(saved));
    } catch (e) {}
    // The receipt keeps each purpose's choice and, apart, each tool's own switch ("analytics/ga" → tools.analytics.ga).
    const pc: Record<string, boolean> = {};
    const tl: Record<string, Record<string, boolean>> = {};
    for (const k in choices) {
      const [p, x] = k.split('/') as [string, string?];
      if (x) (tl[p] = tl[p] || {})[x] = !!choices[k];
      else pc[p] = !!choices[k];
    }
    // On a signed-in page the operator's signed assertion names the user, so the receipt is theirs, not the browser's.
    // An assertion is spent on its first use; the session the server returns carries the later choices on this page.
    const sk = 'mamori:s:' + (assertion || '').slice(-12);
    let ss: string | null = null;
    try {
      ss = assertion ? sessionStorage.getItem(sk) : null;
    } catch (e) {}
    const who: Record<string, string> = ss ? { session: ss } : assertion ? { assertion } : { subject: id };
    fetch(base + '/api/v1/consents', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...who, choices: pc, tools: tl, policyVersion: cfg.v, method }),
      credentials: 'omit',
      keepalive: true,
    })
      .then((r) => r.json())
      .then((j: { session?: string }) => {
        if (j.session) sessionStorage.setItem(sk, j.session);
      })
      .catch(() => {});
    apply(true);
  }

  // With two or more tools, a purpose shows a switch per tool (per service) under its own.
  const each = (p: ClientPurpose): boolean => !!p.c && p.t.length > 1 && !(gpc && p.g);
  let root: HTMLElement | null = null;
  let before: Element | null = null;
  let fab: HTMLElement | null = null;
  // Opt-in floating button that reopens the settings once the person has chosen (the bar is gone).
  const float = (): void => {
    if (!reopen || root || fab || !saved) return;
    fab = d.createElement('button');
    fab.className = 'mmr-f';
    fab.setAttribute('type', 'button');
    fab.textContent = t('set');
    fab.onclick = () => show(true);
    d.body.appendChild(fab);
  };
  function close(): void {
    if (root) root.remove();
    root = null;
    if (before instanceof HTMLElement && before.isConnected) before.focus();
    float();
  }
  // prefs false: a non-modal bar at the start of <body> (reached by Tab first, nothing focused, no trap);
  // prefs true: the settings dialog, focused at its title, Tab kept inside, Esc closes.
  function show(prefs: boolean): void {
    if (prefs && !got) {
      texts().then(() => show(true));
      return;
    }
    if (fab) fab.remove();
    fab = null;
    if (root && root.getAttribute('role') == 'dialog' != prefs) {
      root.remove();
      root = null;
    }
    if (!root) {
      if (prefs) before = d.activeElement;
      root = d.createElement(prefs ? 'div' : 'section');
      root.className = 'mmr';
      if (prefs) {
        root.setAttribute('role', 'dialog');
        root.setAttribute('aria-modal', 'true');
      }
      root.setAttribute('aria-labelledby', 'mmr-t');
      root.addEventListener('keydown', (e) => {
        if (!prefs) return;
        if (e.key == 'Escape') return close();
        if (e.key != 'Tab') return;
        const f = root!.querySelectorAll<HTMLElement>('button,a,input:not([disabled])');
        const first = f[0]!;
        const last = f[f.length - 1]!;
        if (e.shiftKey ? d.activeElement == first || d.activeElement == root!.querySelector('h2') : d.activeElement == last) {
          e.preventDefault();
          (e.shiftKey ? last : first).focus();
        }
      });
      root.addEventListener('click', (e) => {
        const b = (e.target as HTMLElement).closest('button');
        const a = b && b.dataset.a;
        if (!a) return;
        if (a == 'm') return show(true);
        const box = (id: string): boolean => {
          const el = root!.querySelector<HTMLInputElement>('#' + id);
          return !!el && el.checked;
        };
        const c: Choices = {};
        for (const p of choosable) {
          // A purpose with tool switches is on when any of its tools is; each tool's switch is kept on its own.
          let any = !each(p);
          // Tool keys only where there are tool switches: a receipt then names exactly the switches the person saw.
          if (a != 'n' && !any) for (const x of p.t) if ((c[p.i + '/' + x.i] = a == 'y' || box('mmr-' + p.i + '-' + x.i) ? 1 : 0)) any = true;
          c[p.i] = a == 'y' ? 1 : a == 'n' ? 0 : box('mmr-' + p.i) && any ? 1 : 0;
          if (gpc && p.g) c[p.i] = 0;
        }
        record(c, 'banner');
        close();
      });
      prefs ? d.body.appendChild(root) : d.body.insertBefore(root, d.body.firstChild);
    }
    const link = (u: string | null, k: keyof typeof T): string => (u ? ' <a href="' + esc(u) + '" target="_blank" rel="noopener">' + t(k) + '</a>' : '');
    const btn = (a: string, k: keyof typeof T, s?: boolean): string => '<button type="button" data-a="' + a + '"' + (s ? ' class="s"' : '') + '>' + t(k) + '</button>';
    const list = prefs
      ? purposes
          .map((p, j) => {
            const e = tx && tx.p && tx.p[j];
            const off = !p.c ? ' checked disabled' : gpc && p.g ? ' disabled' : allowed(p) ? ' checked' : '';
            return (
              '<fieldset><label><input type="checkbox" id="mmr-' + esc(p.i) + '"' + off + '> ' + esc(p.n[L]!) + '</label>' +
              (p.c ? '' : ' <small>' + t('req') + '</small>') + (e && e.d ? '<small>' + esc(e.d[L]!) + '</small>' : '') +
              p.t
                .map((x, q) => {
                  const y = (e && e.t && e.t[q]) || { p: null, c: [], u: null, o: null };
                  return (
                    (each(p) ? '<label class="tl"><input type="checkbox" id="mmr-' + esc(p.i + '-' + x.i) + '"' + (saved && saved.c[p.i + '/' + x.i] === 0 ? '' : ' checked') + '> ' + esc(x.n) + '</label>' : '') +
                    '<small>' + (each(p) ? '' : esc(x.n)) + (y.p ? ' ' + t('to') + ': ' + esc(y.p[L]!) : '') + (y.c.length ? ' ' + t('col') + ': ' + esc(y.c.map((z) => z[L]).join(L ? ', ' : '、')) : '') + link(y.u, 'pol') + link(y.o, 'opt') + '</small>'
                  );
                })
                .join('') +
              '</fieldset>'
            );
          })
          .join('')
      : '<p>' + esc(choosable.map((p) => p.n[L]).join(L ? ', ' : '、')) + '</p>';
    root.innerHTML =
      '<style>' + CSS + '</style><h2 id="mmr-t"' + (prefs ? ' tabindex="-1"' : '') + '>' + t('title') + '</h2><p>' + t('lead') + link(cfg.u, 'pol') + link(cfg.x, 'ext') + '</p>' + list +
      btn('y', 'all') + btn('n', 'none') + (prefs ? btn('s', 'save', true) : btn('m', 'more', true));
    if (prefs) root.querySelector<HTMLElement>('h2')!.focus();
  }

  w.mamori = { open: () => show(true), allowed: byId, version: cfg.v };
  apply();
  const ready = (): void => {
    apply(true);
    d.addEventListener('click', (e) => {
      if ((e.target as Element).closest && (e.target as Element).closest('[data-mamori-open]')) show(true);
    });
    // GPC is a choice the browser makes for the person: record it once per version, then ask about the rest.
    const off = choosable.filter((p) => gpc && p.g && !(saved && fresh() && saved.c[p.i] === 0));
    if (off.length) {
      const c: Choices = {};
      for (const p of off) c[p.i] = 0;
      record(c, 'gpc');
    }
    // Ask when a purpose needing consent has no answer for this version; opt-out purposes are on until turned off
    // (the person can do so any time through [data-mamori-open] or mamori.open()), so they alone raise no banner.
    if (purposes.some((p) => p.c == 1 && !(gpc && p.g) && !(fresh() && saved!.c[p.i] !== undefined))) {
      show(false);
      texts();
    } else float();
  };
  d.readyState == 'loading' ? d.addEventListener('DOMContentLoaded', ready) : ready();
}

try {
  const dl = (w.dataLayer = w.dataLayer || []);
  // gtag must push the arguments object itself: Google's tag reads consent commands only in that form.
  // eslint-disable-next-line prefer-rest-params
  w.gtag = w.gtag || function () { dl.push(arguments); };
  const denied: Record<string, string | number> = { wait_for_update: 500 };
  for (const s of SIGNALS) denied[s] = 'denied';
  w.gtag('consent', 'default', denied);
  const me = d.currentScript as HTMLScriptElement | null;
  start(MAMORI_CONFIG, me && me.src ? new URL(me.src).origin : location.origin, me ? me.dataset.assertion : undefined, !!me && me.hasAttribute('data-reopen'));
} catch (e) {
  // fail open: never break the host page
}
