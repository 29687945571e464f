import type { RouteModule } from './app.ts';

/** Routes of the connectors domain (not built yet). */
export const connectorRoutes: RouteModule = () => {};
