import type { Block, Inline, PolicyDocument, Rich } from './render-document.ts';

/** Escapes characters Markdown would read as markup or raw HTML. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>#|]/g, (c) => `\\${c}`).replace(/\n/g, ' ');
}

function inlineMd(content: Rich): string {
  return content
    .map((part: Inline) => {
      if (typeof part === 'string') return escapeMarkdown(part);
      if ('code' in part) return `\`${part.code.replace(/`/g, '')}\``;
      if (!/^(https?:\/\/|mailto:|\/(?!\/)|#)/i.test(part.href)) return escapeMarkdown(part.text);
      return `[${escapeMarkdown(part.text)}](${part.href.replace(/[()\s<>]/g, (c) => encodeURIComponent(c))})`;
    })
    .join('');
}

function blockMd(block: Block): string {
  switch (block.kind) {
    case 'heading':
      return `### ${escapeMarkdown(block.text)}`;
    case 'paragraph':
      return inlineMd(block.content);
    case 'list':
      return block.items.map((i, n) => `${block.ordered ? `${n + 1}.` : '-'} ${inlineMd(i)}`).join('\n');
    case 'table':
      return [`| ${block.head.map(escapeMarkdown).join(' | ')} |`, `|${block.head.map(() => ' --- ').join('|')}|`, ...block.rows.map((r) => `| ${r.map(inlineMd).join(' | ')} |`)].join('\n');
    case 'fields':
      return block.items.map((i) => `- **${escapeMarkdown(i.term)}**: ${inlineMd(i.content)}`).join('\n');
    default: {
      const never: never = block;
      return never;
    }
  }
}

/** One section as Markdown (its h2 and body). */
export function sectionMarkdown(section: PolicyDocument['sections'][number]): string {
  return [`## ${section.number}. ${escapeMarkdown(section.title)}`, ...section.blocks.map(blockMd)].join('\n\n');
}

export function renderPolicyMarkdown(doc: PolicyDocument): string {
  const parts = [`# ${escapeMarkdown(doc.title)}`, [escapeMarkdown(doc.serviceName), ...doc.meta.map(escapeMarkdown)].join('  \n'), ...doc.intro.map(blockMd)];
  // Plain titles: Markdown renderers derive heading anchors differently, so links would break somewhere.
  parts.push(`## ${doc.lang === 'ja' ? '目次' : 'Contents'}\n\n${doc.sections.map((s) => `${s.number}. ${escapeMarkdown(s.title)}`).join('\n')}`);
  for (const s of doc.sections) parts.push(sectionMarkdown(s));
  if (doc.closing) parts.push(doc.closing);
  return `${parts.join('\n\n')}\n`;
}

/** Plain text of a section's body (for diffs): no markup, one block per paragraph. */
export function sectionPlainText(section: PolicyDocument['sections'][number]): string {
  const inline = (c: Rich) => c.map((p) => (typeof p === 'string' ? p : 'code' in p ? p.code : p.text === p.href ? p.href : `${p.text} <${p.href}>`)).join('');
  return section.blocks
    .map((b): string => {
      switch (b.kind) {
        case 'heading': return `■ ${b.text}`;
        case 'paragraph': return inline(b.content);
        case 'list': return b.items.map((i, n) => `${b.ordered ? `${n + 1}.` : '・'} ${inline(i)}`).join('\n');
        case 'table': return [b.head.join(' | '), ...b.rows.map((r) => r.map(inline).join(' | '))].join('\n');
        case 'fields': return b.items.map((i) => `${i.term}: ${inline(i.content)}`).join('\n');
        default: { const never: never = b; return never; }
      }
    })
    .join('\n');
}
