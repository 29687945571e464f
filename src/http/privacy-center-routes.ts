import type { RouteModule } from './app.ts';

/** Routes of the requests domain (not built yet). */
export const privacyCenterRoutes: RouteModule = () => {};
