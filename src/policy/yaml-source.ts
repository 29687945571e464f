import { LineCounter, parseDocument, isMap, isSeq, isScalar } from 'yaml';

/** A position in a YAML file, 1-based. */
export interface SourcePosition {
  line: number;
  col: number;
}

export type YamlPath = ReadonlyArray<string | number>;

export type YamlReadResult =
  | { ok: true; data: unknown; locate(path: YamlPath): SourcePosition }
  | { ok: false; errors: Array<SourcePosition & { code: string; message: string; offset: number }> };

/**
 * Parses YAML (duplicate keys refused) and returns its data with `locate(path)`: where a path starts in the file,
 * pointing at the key itself for mapping entries, falling back to the nearest existing parent and then 1:1.
 * Shared by every file mamori reads (policy files, dataset graphs) so their errors point at the same places.
 */
export function readYamlWithPositions(source: string): YamlReadResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const pos = (offset: number): SourcePosition => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, col: p.col };
  };
  if (doc.errors.length > 0) {
    return { ok: false, errors: doc.errors.map((e) => ({ ...pos(e.pos[0]), code: e.code, message: e.message.split('\n')[0] ?? e.message, offset: e.pos[0] })) };
  }
  const locate = (path: YamlPath): SourcePosition => {
    const p = [...path];
    while (p.length > 0) {
      const offset = offsetAt(doc.contents, p);
      if (offset !== undefined) return pos(offset);
      p.pop();
    }
    return { line: 1, col: 1 };
  };
  return { ok: true, data: doc.toJS(), locate };
}

function offsetAt(root: unknown, path: Array<string | number>): number | undefined {
  let node: unknown = root;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    if (isMap(node)) {
      const pair = node.items.find((it) => isScalar(it.key) && it.key.value === seg);
      if (!pair) return undefined;
      if (i === path.length - 1) return isScalar(pair.key) ? pair.key.range?.[0] : undefined;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
      if (i === path.length - 1) return isMap(node) || isSeq(node) || isScalar(node) ? node.range?.[0] : undefined;
    } else return undefined;
  }
  return undefined;
}
