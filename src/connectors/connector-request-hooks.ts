import type { AppContext } from '../context.ts';
import type { RequestHooks } from '../requests/request-hooks.ts';

/** How the connectors domain plugs into the request workflow (not built yet). */
export function createConnectorRequestHooks(_ctx: Omit<AppContext, 'requestHooks'>): RequestHooks {
  return {};
}
