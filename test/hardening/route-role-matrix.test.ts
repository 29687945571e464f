import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { routeCatalog, type CatalogRoute } from '../../src/http/route-catalog.ts';
import { can, staffRoles } from '../../src/staff/staff-permissions.ts';
import { startTestServer } from '../staff/console-helpers.ts';
import { concretePath, credentialsForEveryRole, errorCodeOf } from './hardening-kit.ts';

/** Staff-surface routes that are deliberately open: the sign-in form itself. */
const OPEN_STAFF_ROUTES = new Set(['GET /console/login', 'POST /console/login']);
const isStaffSurface = (r: CatalogRoute) => r.url === '/console' || r.url.startsWith('/console/') || r.url.startsWith('/api/v1/console');

describe('route × role matrix', () => {
  test('every route of the console and the API answers each role exactly as the one permission table says', { timeout: 120_000 }, async () => {
    const server = await startTestServer('sqlite');
    try {
      const routes = routeCatalog(server.app);
      assert.ok(routes.length > 100, `the catalog holds the declared routes (${routes.length})`);
      const unguarded = routes.filter((r) => isStaffSurface(r) && !r.guard && !OPEN_STAFF_ROUTES.has(`${r.method} ${r.url}`));
      assert.deepEqual(unguarded.map((r) => `${r.method} ${r.url}`), [], 'every staff route declares a guard');

      // The console and the API agree wherever both offer the same operation.
      for (const r of routes.filter((x) => x.guard?.surface === 'console')) {
        const twin = routes.find((x) => x.method === r.method && x.url === `/api/v1${r.url}`);
        if (twin) assert.equal(twin.guard?.permission, r.guard?.permission, `${r.method} ${r.url} and its API twin ask for the same permission`);
      }

      const creds = await credentialsForEveryRole(server);
      // Signing out ends the session the other calls use, so it goes last.
      const guarded = routes.filter((r) => r.guard).sort((a, b) => Number(a.url === '/console/logout') - Number(b.url === '/console/logout'));
      let calls = 0;
      for (const route of guarded) {
        const guard = route.guard;
        if (!guard) continue;
        const path = concretePath(route);
        const anonymous = await fetch(`${server.url}${path}`, { method: route.method, headers: { accept: 'application/json', 'content-type': 'application/json' }, ...(route.method === 'GET' ? {} : { body: '{}' }) });
        assert.equal(anonymous.status, 401, `${route.method} ${route.url} without credentials`);
        for (const role of staffRoles) {
          const c = creds[role];
          const headers: Record<string, string> = { accept: 'application/json' };
          if (guard.surface === 'api') headers.authorization = `Bearer ${c.apiKey}`;
          else {
            const s = await c.newSession();
            headers.cookie = s.cookie;
            headers['x-csrf-token'] = s.csrf;
          }
          const init: RequestInit = route.method === 'GET' ? { headers } : { method: route.method, headers: { ...headers, 'content-type': 'application/json' }, body: '{}' };
          const res = await fetch(`${server.url}${path}`, { ...init, redirect: 'manual' });
          calls++;
          const text = await res.text();
          const allowed = guard.permission === undefined || can(role, guard.permission);
          const where: string = `${route.method} ${route.url} as ${role} (${guard.permission ?? 'any staff'})`;
          if (allowed) {
            assert.notEqual(res.status, 403, `${where}: allowed by the table, refused: ${text.slice(0, 200)}`);
            assert.notEqual(res.status, 401, `${where}: signed in, asked to sign in`);
            assert.ok(res.status < 500, `${where}: ${res.status} ${text.slice(0, 200)}`);
          } else {
            assert.equal(res.status, 403, `${where}: refused by the table, answered ${res.status}`);
            assert.equal(errorCodeOf(JSON.parse(text)), 'MAMORI_FORBIDDEN');
          }
        }
      }
      console.log(`# route × role matrix: ${guarded.length} guarded routes × ${staffRoles.length} roles = ${calls} calls`);
      // The case the probe found: staff cannot reject a request in the console, as in the API.
      const reject = guarded.find((r) => r.url === '/console/requests/:id/reject');
      assert.equal(reject?.guard?.permission, 'requests.decide');
    } finally {
      await server.stop();
    }
  });
});
