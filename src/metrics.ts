/** A figure an instance reports on `/metrics`, read when scraped. Counts only: never an id or personal data. */
export interface Metric {
  /** A Prometheus name, `mamori_…`. */
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  read(): number;
}

/** Figures that parts of the running instance offer to `/metrics` (the database's own figures are read there). */
export interface Metrics {
  /** Adds a figure, or replaces the one of the same name (an app built again over the same context). */
  add(metric: Metric): void;
  all(): readonly Metric[];
}

/** @example ctx.metrics.add({ name: 'mamori_x', help: 'X.', type: 'gauge', read: () => x.size }); */
export function createMetrics(): Metrics {
  const byName = new Map<string, Metric>();
  return {
    add: (metric) => void byName.set(metric.name, metric),
    all: () => [...byName.values()],
  };
}
