import type { Clock } from './clock.ts';
import type { Config } from './config.ts';
import type { OutboxSender } from './mail/outbox.ts';
import type { LoadedPolicy } from './policy/load-policy.ts';
import type { Store } from './store/store.ts';
import type { ChangeFeed } from './store/change-feed.ts';
import type { RequestHooks } from './requests/request-hooks.ts';
import type { Metrics } from './metrics.ts';

/** What services and routes are given: no module-level singletons, so tests run with a fixed clock and a real database. */
export interface AppContext {
  store: Store;
  clock: Clock;
  config: Config;
  outbox: OutboxSender;
  /** Where read-only queries go (console lists, statistics, exports): a replica from DATABASE_READ_URL, else `store`. */
  read: Store;
  /** What other instances changed (PostgreSQL LISTEN/NOTIFY): caches subscribe, writers publish. */
  changes: ChangeFeed;
  /** The policy file the server was started with (validated and lint-clean). */
  policy: LoadedPolicy;
  /** Other domains' plug-ins to the request workflow (connectors, consent receipts, provision records). */
  requestHooks: RequestHooks[];
  /** This instance's own figures for `/metrics` (caches, workers), offered by the parts that keep them. */
  metrics: Metrics;
}
