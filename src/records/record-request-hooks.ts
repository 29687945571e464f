import type { AppContext } from '../context.ts';
import type { RequestHooks } from '../requests/request-hooks.ts';

/** How the records domain plugs into the request workflow (not built yet). */
export function createRecordsRequestHooks(_ctx: Omit<AppContext, 'requestHooks'>): RequestHooks {
  return {};
}
