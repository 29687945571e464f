import { isSqlDataset, type DatasetGraph } from './graph-schema.ts';

/**
 * Identity kinds no system of the graph can use: no SQL field declares them and no webhook receives identities.
 * A request naming only such kinds would find nothing and look like "no data": callers treat it as a usage error.
 * @example undeclaredIdentityKinds(graph, ['email', 'phone']) // ['phone'] when no field has `identity: phone`
 */
export function undeclaredIdentityKinds(graph: DatasetGraph, kinds: readonly string[]): string[] {
  if (graph.datasets.some((d) => d.connection.kind === 'webhook')) return [];
  const declared = new Set(graph.datasets.filter(isSqlDataset).flatMap((d) => d.collections.flatMap((c) => c.fields.flatMap((f) => (f.identity ? [f.identity] : [])))));
  return kinds.filter((k) => !declared.has(k));
}

/**
 * Correction targets (`collection.field` or `dataset.collection.field`) that name no field of a SQL dataset.
 * @example unknownCorrectionFields(graph, ['user.nosuch']) // ['user.nosuch']
 */
export function unknownCorrectionFields(graph: DatasetGraph, fields: readonly string[]): string[] {
  const sql = graph.datasets.filter(isSqlDataset);
  return fields.filter((target) => {
    const parts = target.split('.');
    const [ds, c, f] = parts.length === 3 ? parts : [undefined, parts[0], parts[1]];
    if (parts.length < 2 || parts.length > 3) return true;
    return !sql.some((d) => (ds === undefined || d.id === ds) && d.collections.some((x) => x.name === c && x.fields.some((y) => y.name === f)));
  });
}
