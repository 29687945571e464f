import { html, trusted, type SafeHtml } from './html.ts';

export type Lang = 'ja' | 'en';

/** Picks the page language: `?lang=` first, then Accept-Language, Japanese by default. */
export function pickLang(query: unknown, acceptLanguage: string | undefined): Lang {
  if (query && typeof query === 'object' && 'lang' in query) {
    const v = (query as { lang?: unknown }).lang;
    if (v === 'en' || v === 'ja') return v;
  }
  if (acceptLanguage) {
    const first = acceptLanguage.split(',')[0]?.trim().toLowerCase() ?? '';
    if (first.startsWith('en')) return 'en';
  }
  return 'ja';
}

export const BASE_CSS = `
:root{color-scheme:light;--fg:#1d2330;--muted:#5b6475;--line:#d9dde5;--accent:#1f5fbf;--bg:#fff;--warn:#a4260b;--ok:#1b6b3a}
*{box-sizing:border-box}
body{margin:0;font:16px/1.75 system-ui,-apple-system,"Hiragino Sans","Noto Sans JP","Yu Gothic",sans-serif;color:var(--fg);background:var(--bg)}
a{color:var(--accent)}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible,summary:focus-visible{outline:3px solid #f0b400;outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:4px 8px;z-index:10}
header.site,footer.site{border-bottom:1px solid var(--line);padding:12px 24px;display:flex;gap:16px;align-items:center;flex-wrap:wrap}
footer.site{border-top:1px solid var(--line);border-bottom:0;color:var(--muted);font-size:14px}
header.site .brand{font-weight:700;margin-right:auto}
main{max-width:880px;margin:0 auto;padding:24px}
h1{font-size:1.7rem;line-height:1.4}h2{font-size:1.3rem;margin-top:2.2rem;border-bottom:1px solid var(--line);padding-bottom:4px}h3{font-size:1.08rem;margin-top:1.6rem}
table{border-collapse:collapse;width:100%;margin:12px 0}th,td{border:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}th{background:#f4f6f9}
.muted{color:var(--muted)}.warn{color:var(--warn)}.ok{color:var(--ok)}
.notice{border:1px solid var(--line);border-left:4px solid var(--accent);padding:8px 12px;background:#f7f9fc}
.error{border-left-color:var(--warn)}
form.stack{display:grid;gap:12px;max-width:560px}label{font-weight:600}
input,select,textarea{font:inherit;padding:6px 8px;border:1px solid #9aa3b2;border-radius:4px;width:100%}
button,.button{font:inherit;padding:8px 16px;border-radius:4px;border:1px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer;text-decoration:none;display:inline-block}
button.secondary{background:#fff;color:var(--accent)}
ins{background:#e6f4ea;text-decoration:underline}del{background:#fde7e7;text-decoration:line-through}
@media print{header.site,footer.site,.noprint{display:none}main{max-width:none;padding:0}a{color:inherit;text-decoration:none}h2{break-after:avoid}}
`;

/** The shared page frame: lang attribute, skip link, header/main/footer landmarks, printable. */
export function renderPage(opts: { lang: Lang; title: string; body: SafeHtml; brand?: string; nav?: SafeHtml; head?: SafeHtml }): string {
  const skip = opts.lang === 'ja' ? '本文へ移動' : 'Skip to content';
  return `<!doctype html>${html`<html lang="${opts.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${opts.title}</title>
<style>${trusted(BASE_CSS)}</style>
${opts.head}
</head>
<body>
<a class="skip" href="#main">${skip}</a>
<header class="site"><span class="brand">${opts.brand ?? 'mamori'}</span>${opts.nav}</header>
<main id="main">
${opts.body}
</main>
<footer class="site"><span>Powered by mamori</span></footer>
</body>
</html>`.value}`;
}

