import { escapeHtml } from '../../html/html.ts';

/**
 * The HTML part of a mail, made from its plain text so that the two always say the same: paragraphs at blank
 * lines, line breaks kept, links clickable, the service's name as a small header. The plain text stays the first
 * alternative for mail programs that show text only.
 * @example mailHtml('ご請求を受け付けました。\n\nhttps://example.jp/x', { lang: 'ja', service: '隠れ家' })
 */
export function mailHtml(text: string, opts: { lang: 'ja' | 'en'; service: string }): string {
  const paragraphs = text.split(/\n{2,}/).map((p) => `<p style="margin:0 0 1em">${p.split('\n').map(inline).join('<br>')}</p>`).join('\n');
  return `<!doctype html><html lang="${opts.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(opts.service)}</title></head>
<body style="margin:0;padding:0;background:#f5f5f4"><div style="max-width:640px;margin:0 auto;padding:24px 16px;font-family:system-ui,'Hiragino Sans','Noto Sans JP',sans-serif;font-size:15px;line-height:1.7;color:#1c1917">
<p style="margin:0 0 16px;font-weight:bold">${escapeHtml(opts.service)}</p>
<div style="background:#fff;border-radius:8px;padding:20px">
${paragraphs}
</div></div></body></html>`;
}

const URL_PATTERN = /https?:\/\/[^\s<>"'（）「」、。]+/g;

/** One line: escaped, with every http(s) address as a link to exactly that address. */
function inline(line: string): string {
  let out = '';
  let last = 0;
  for (const m of line.matchAll(URL_PATTERN)) {
    const url = m[0];
    const at = m.index ?? 0;
    out += escapeHtml(line.slice(last, at)) + `<a href="${escapeHtml(url)}" style="color:#1d4ed8;word-break:break-all">${escapeHtml(url)}</a>`;
    last = at + url.length;
  }
  return out + escapeHtml(line.slice(last));
}
