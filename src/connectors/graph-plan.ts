import { matchesCaseInsensitively, type GraphCollection, type GraphDataset } from './graph-schema.ts';

/** How one collection's rows of the person are found. */
export interface CollectionPlan {
  collection: GraphCollection;
  /** Fields compared directly with a request identity. */
  seeds: Array<{ field: string; identity: string; caseInsensitive: boolean }>;
  /** Followed references: rows whose `field` is among the values of `parent.parentField` found before. */
  via: Array<{ field: string; parent: string; parentField: string }>;
  /**
   * Followed references of the collection to itself (a reply thread, a post's revisions): rows whose `field` is among
   * the `parentField` values of rows already found belong too, found again until nothing new turns up.
   */
  selfVia: Array<{ field: string; parentField: string }>;
  /** Own fields whose values children need (collected before children run, and before erasure). */
  keysForChildren: string[];
  /** Traversal depth: collections of one level do not depend on each other and may run in parallel. */
  level: number;
}

export interface DatasetPlan {
  dataset: GraphDataset;
  /** Reachable collections, parents before children. Erasure runs this in reverse. */
  order: CollectionPlan[];
  /** Collections grouped by level, for bounded parallelism. */
  levels: CollectionPlan[][];
  /** Collections no identity reaches: never read, reported by lint. */
  unreachable: string[];
  /** Cycles of followed references (each a path of collection names, first repeated at the end). */
  cycles: string[][];
  /** Reference cycles that only affect erasure order (not traversal); the order falls back to followed references. */
  orderingCycles: string[][];
}

/**
 * Plans a SQL dataset: from the identity fields, walk followed references parent → child in dependency order.
 * Cycles are reported, never looped on.
 * @example const plan = planDataset(graph.datasets[0]); for (const step of plan.order) console.log(step.collection.name);
 */
export function planDataset(dataset: GraphDataset): DatasetPlan {
  const byName = new Map(dataset.collections.map((c) => [c.name, c]));
  const followed = new Map<string, Set<string>>(); // parent → children
  const allEdges = new Map<string, Set<string>>();
  for (const c of dataset.collections) {
    followed.set(c.name, followed.get(c.name) ?? new Set());
    allEdges.set(c.name, allEdges.get(c.name) ?? new Set());
  }
  for (const c of dataset.collections) {
    for (const f of c.fields) {
      if (!f.references) continue;
      const [parent] = f.references.split('.');
      if (!parent || !byName.has(parent)) continue;
      // A reference of a collection to itself is no cycle of collections: the executor follows it row by row.
      if (parent === c.name) continue;
      allEdges.get(parent)?.add(c.name);
      if (f.follow) followed.get(parent)?.add(c.name);
    }
  }
  const cycles = findCycles(followed);
  const inCycle = new Set(cycles.flat());

  // Reachability from identity seeds along followed references (collections on a cycle are excluded).
  const reachable = new Set<string>();
  const queue = dataset.collections.filter((c) => c.fields.some((f) => f.identity) && !inCycle.has(c.name)).map((c) => c.name);
  for (const n of queue) reachable.add(n);
  while (queue.length > 0) {
    const n = queue.shift() ?? '';
    for (const child of followed.get(n) ?? []) {
      if (!reachable.has(child) && !inCycle.has(child)) {
        reachable.add(child);
        queue.push(child);
      }
    }
  }

  const restrict = (edges: Map<string, Set<string>>) => new Map([...edges].filter(([k]) => reachable.has(k)).map(([k, v]) => [k, new Set([...v].filter((x) => reachable.has(x)))]));
  const orderingCycles = findCycles(restrict(allEdges));
  const names = topoSort(orderingCycles.length === 0 ? restrict(allEdges) : restrict(followed), dataset.collections.map((c) => c.name).filter((n) => reachable.has(n)));

  const level = new Map<string, number>();
  const plans: CollectionPlan[] = [];
  for (const name of names) {
    const c = byName.get(name);
    if (!c) continue;
    const via = c.fields.flatMap((f) => {
      if (!f.references || !f.follow) return [];
      const [parent = '', parentField = ''] = f.references.split('.');
      return parent !== name && reachable.has(parent) ? [{ field: f.name, parent, parentField }] : [];
    });
    const lv = via.length === 0 ? 0 : Math.max(...via.map((v) => (level.get(v.parent) ?? 0) + 1));
    level.set(name, lv);
    const selfVia = c.fields.flatMap((f) => {
      if (!f.references || !f.follow) return [];
      const [parent = '', parentField = ''] = f.references.split('.');
      return parent === name ? [{ field: f.name, parentField }] : [];
    });
    plans.push({ collection: c, seeds: c.fields.flatMap((f) => (f.identity ? [{ field: f.name, identity: f.identity, caseInsensitive: matchesCaseInsensitively(f) }] : [])), via, selfVia, keysForChildren: selfVia.map((v) => v.parentField).filter((x, i, a) => a.indexOf(x) === i), level: lv });
  }
  for (const p of plans) {
    for (const v of p.via) {
      const parent = plans.find((x) => x.collection.name === v.parent);
      if (parent && !parent.keysForChildren.includes(v.parentField)) parent.keysForChildren.push(v.parentField);
    }
  }
  const levels: CollectionPlan[][] = [];
  for (const p of plans) (levels[p.level] ??= []).push(p);
  return {
    dataset,
    order: plans,
    levels: levels.filter((l) => l.length > 0),
    unreachable: dataset.collections.map((c) => c.name).filter((n) => !reachable.has(n)),
    cycles,
    orderingCycles,
  };
}

/** Every elementary cycle found by depth-first search (one per back edge), as name paths. */
function findCycles(edges: Map<string, Set<string>>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (n: string) => {
    state.set(n, 'open');
    stack.push(n);
    for (const m of edges.get(n) ?? []) {
      const s = state.get(m);
      if (s === 'open') cycles.push([...stack.slice(stack.indexOf(m)), m]);
      else if (s === undefined) visit(m);
    }
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of edges.keys()) if (!state.has(n)) visit(n);
  return cycles;
}

/** Kahn's algorithm, stable in declaration order. */
function topoSort(edges: Map<string, Set<string>>, names: string[]): string[] {
  const indeg = new Map(names.map((n) => [n, 0]));
  for (const [, children] of edges) for (const c of children) indeg.set(c, (indeg.get(c) ?? 0) + 1);
  const out: string[] = [];
  const ready = names.filter((n) => indeg.get(n) === 0);
  while (ready.length > 0) {
    const n = ready.shift() ?? '';
    out.push(n);
    for (const c of edges.get(n) ?? []) {
      indeg.set(c, (indeg.get(c) ?? 0) - 1);
      if (indeg.get(c) === 0) ready.push(c);
    }
  }
  return out;
}
