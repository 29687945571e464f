import type { RouteModule } from './app.ts';

/** Routes of the records domain (not built yet). */
export const recordsRoutes: RouteModule = () => {};
