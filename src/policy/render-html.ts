import { html, type SafeHtml } from '../html/html.ts';
import { renderPage } from '../html/layout.ts';
import type { Block, Inline, PolicyDocument, Rich } from './render-document.ts';

/** Print and reading styles for the policy on top of the shared page CSS. */
const POLICY_CSS = `
.policy-meta{color:var(--muted);margin:0 0 1rem}
nav.toc{border:1px solid var(--line);padding:8px 16px;margin:16px 0;background:#fafbfc}
nav.toc ol{margin:4px 0;padding-left:1.4em}
dl.fields{display:grid;grid-template-columns:minmax(8em,14em) 1fr;gap:0;margin:12px 0;border-top:1px solid var(--line)}
dl.fields dt,dl.fields dd{margin:0;padding:6px 8px;border-bottom:1px solid var(--line)}
dl.fields dt{font-weight:600;background:#f4f6f9}
code{font-family:ui-monospace,monospace;font-size:.92em}
p.closing{text-align:right}
@media (max-width:600px){dl.fields{grid-template-columns:1fr}}
@media print{nav.toc{break-after:page;background:none}section{break-inside:auto}dl.fields dt{background:none}a[href^="http"]::after{content:" (" attr(href) ")";font-size:.85em}}
`;

/** Only web, mail and same-site links become anchors; anything else (javascript:, data:) is shown as text. */
export function isSafeHref(href: string): boolean {
  return /^(https?:\/\/|mailto:|\/(?!\/)|#)/i.test(href);
}

export function inlineHtml(content: Rich): SafeHtml {
  return html`${content.map((part: Inline) => {
    if (typeof part === 'string') return part;
    if ('code' in part) return html`<code>${part.code}</code>`;
    return isSafeHref(part.href) ? html`<a href="${part.href}">${part.text}</a>` : part.text;
  })}`;
}

export function blockHtml(block: Block): SafeHtml {
  switch (block.kind) {
    case 'heading':
      return html`<h3>${block.text}</h3>\n`;
    case 'paragraph':
      return html`<p>${inlineHtml(block.content)}</p>\n`;
    case 'list':
      return block.ordered
        ? html`<ol>${block.items.map((i) => html`<li>${inlineHtml(i)}</li>`)}</ol>\n`
        : html`<ul>${block.items.map((i) => html`<li>${inlineHtml(i)}</li>`)}</ul>\n`;
    case 'table':
      return html`<table><thead><tr>${block.head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead><tbody>${block.rows.map((r) => html`<tr>${r.map((c) => html`<td>${inlineHtml(c)}</td>`)}</tr>`)}</tbody></table>\n`;
    case 'fields':
      return html`<dl class="fields">${block.items.map((i) => html`<dt>${i.term}</dt><dd>${inlineHtml(i.content)}</dd>`)}</dl>\n`;
    default: {
      const never: never = block;
      return never;
    }
  }
}

/** The policy body: h1, meta, intro, table of contents, one section per h2. Usable inside another page. */
export function policyBodyHtml(doc: PolicyDocument): SafeHtml {
  const tocLabel = doc.lang === 'ja' ? '目次' : 'Contents';
  return html`<article class="policy">
<h1>${doc.title}</h1>
<p class="policy-meta">${doc.serviceName}${doc.meta.map((m) => html`<br>${m}`)}</p>
${doc.intro.map(blockHtml)}
<nav class="toc" aria-label="${tocLabel}"><p class="toc-title"><strong>${tocLabel}</strong></p><ol>${doc.sections.map((s) => html`<li><a href="#${s.id}">${s.title}</a></li>`)}</ol></nav>
${doc.sections.map((s) => html`<section aria-labelledby="${s.id}">
<h2 id="${s.id}">${s.number}. ${s.title}</h2>
${s.blocks.map(blockHtml)}</section>
`)}${doc.closing ? html`<p class="closing">${doc.closing}</p>` : ''}
</article>`;
}

/** A complete HTML document (lang attribute, landmarks, table of contents, print CSS). */
export function renderPolicyHtml(doc: PolicyDocument, opts: { nav?: SafeHtml; before?: SafeHtml; extraBody?: SafeHtml } = {}): string {
  return renderPage({
    lang: doc.lang,
    title: `${doc.title} | ${doc.serviceName}`,
    brand: doc.serviceName,
    body: html`${opts.before}${policyBodyHtml(doc)}${opts.extraBody}`,
    nav: opts.nav,
    head: html`<style>${POLICY_CSS}</style>`,
  });
}
