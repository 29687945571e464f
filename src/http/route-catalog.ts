import type { FastifyInstance } from 'fastify';
import { guardDeclaration, type GuardDeclaration } from './staff-auth.ts';

/** One declared route: what Fastify was told, and the staff guard it declared (if any). */
export interface CatalogRoute {
  method: string;
  url: string;
  guard: GuardDeclaration | undefined;
}

const catalogs = new WeakMap<FastifyInstance, CatalogRoute[]>();

/**
 * Records every route as it is declared, with its staff guard, so tests can walk all routes of every surface (the
 * role matrix, the malformed-input fuzz, the page-header crawl) from the declarations rather than from a hand list.
 * Call before any route module is registered.
 */
export function trackRoutes(app: FastifyInstance): void {
  const routes: CatalogRoute[] = [];
  catalogs.set(app, routes);
  app.addHook('onRoute', (route) => {
    const hooks = [route.preHandler, route.onRequest, route.preValidation].flat().filter((h) => h !== undefined);
    const guard = hooks.map(guardDeclaration).find((g) => g !== undefined);
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue;
      routes.push({ method, url: route.url, guard });
    }
  });
}

/** Every route declared on `app` (after `trackRoutes`). */
export function routeCatalog(app: FastifyInstance): readonly CatalogRoute[] {
  return catalogs.get(app) ?? [];
}
