import type { RouteModule } from './app.ts';

/** Routes of the consent domain (not built yet). */
export const consentRoutes: RouteModule = () => {};
