import type { RouteModule } from './app.ts';

/** Routes of the policy domain (not built yet). */
export const policyRoutes: RouteModule = () => {};
