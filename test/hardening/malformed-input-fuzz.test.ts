import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { routeCatalog, type CatalogRoute } from '../../src/http/route-catalog.ts';
import { storeDialects } from '../support/stores.ts';
import { startTestServer } from '../staff/console-helpers.ts';
import { concretePath, credentialsForEveryRole } from './hardening-kit.ts';

interface Shape {
  name: string;
  /** The path to call (from the declared route). */
  path(route: CatalogRoute): string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

const NUL = '\u0000';
const FIELDS = ['description', 'policyVersion', 'policy_version', 'email', 'kind', 'subject', 'reason', 'note', 'what', 'title', 'rows', 'name', 'code', 'lang', 'purpose', 'id', 'reference', 'method', 'channel', 'summary', 'version', 'outcome'];
const nulBody = JSON.stringify(Object.fromEntries(FIELDS.map((f) => [f, `a${NUL}b`])));
const boundary = '----mamorifuzz';
const truncatedMultipart = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\ndisclosure\r\n--${boundary}\r\nContent-Disposition: form-data; name="power_of_attorney"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 trunc`);
const nulMultipart = Buffer.from(`${FIELDS.map((f) => `--${boundary}\r\nContent-Disposition: form-data; name="${f}"\r\n\r\na${NUL}b\r\n`).join('')}--${boundary}--\r\n`);
const hasParams = (r: CatalogRoute) => r.url.includes(':');

const shapes: Shape[] = [
  { name: 'NUL in a path id', path: (r) => (hasParams(r) ? concretePath(r, `a${NUL}b`) : `${r.url}`) },
  { name: 'id of 81 characters', path: (r) => concretePath(r, 'a'.repeat(81)) },
  { name: 'id of 100 characters', path: (r) => concretePath(r, 'b'.repeat(100)) },
  { name: 'id of 300 characters (over the router limit)', path: (r) => concretePath(r, 'c'.repeat(300)) },
  { name: 'a malformed %-escape in the path', path: (r) => (hasParams(r) ? concretePath(r, 'x').replace('x', '%E0%A4%A') : `${r.url}%`) },
  { name: 'NUL in the query', path: (r) => `${concretePath(r)}?lang=%00&kind=%00&from=%00&to=%00&state=%00&q=%00` },
  { name: 'NUL in every JSON string', path: (r) => concretePath(r), headers: { 'content-type': 'application/json' }, body: nulBody },
  { name: 'NUL in a urlencoded form', path: (r) => concretePath(r), headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: FIELDS.map((f) => `${f}=a%00b`).join('&') },
  { name: 'multipart without a boundary', path: (r) => concretePath(r), headers: { 'content-type': 'multipart/form-data' }, body: 'kind=disclosure' },
  { name: 'a truncated multipart body', path: (r) => concretePath(r), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body: truncatedMultipart },
  { name: 'NUL in every multipart field', path: (r) => concretePath(r), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body: nulMultipart },
  { name: 'a JSON body that is not JSON', path: (r) => concretePath(r), headers: { 'content-type': 'application/json' }, body: '{"kind":' },
];

/** A 4xx in mamori's format: JSON `{ error: { code } }` or the HTML error page naming the code; never the path echoed. */
function assertMamoriError(status: number, type: string, text: string, where: string): void {
  if (type.includes('json')) {
    const json: unknown = JSON.parse(text);
    assert.ok(json && typeof json === 'object' && 'error' in json && json.error && typeof json.error === 'object' && 'code' in json.error && typeof json.error.code === 'string' && json.error.code.startsWith('MAMORI_'), `${where}: ${status} not in mamori's format: ${text.slice(0, 200)}`);
  } else {
    assert.match(text, /MAMORI_[A-Z_]+/, `${where}: ${status} page does not name a mamori code`);
  }
  assert.ok(!text.includes('c'.repeat(300)), `${where}: the answer echoes the path`);
}

for (const dialect of storeDialects) {
  describe(`malformed input on every route (${dialect})`, () => {
    test('every shape on every declared route is answered below 500, errors in mamori\'s format', { timeout: 240_000 }, async () => {
      const server = await startTestServer(dialect, { config: { paymentWebhookSecret: 'webhook-secret-for-tests-0123456789', assertionSecret: 'assertion-secret-for-tests-0123456789' } });
      try {
        const admin = (await credentialsForEveryRole(server)).admin;
        const session = await admin.newSession();
        const routes = routeCatalog(server.app).filter((r) => r.url !== '/console/logout');
        const tally = { inputs: 0, ok: 0, client: 0, server: 0 };
        const failures: string[] = [];
        for (const route of routes) {
          for (const shape of shapes) {
            if (route.method === 'GET' && shape.body !== undefined) continue;
            const headers: Record<string, string> = { accept: 'application/json', ...shape.headers };
            if (route.guard?.surface === 'api') headers.authorization = `Bearer ${admin.apiKey}`;
            if (route.guard?.surface === 'console') {
              headers.cookie = session.cookie;
              headers['x-csrf-token'] = session.csrf;
            }
            const where = `${shape.name}: ${route.method} ${route.url}`;
            const res = await fetch(`${server.url}${shape.path(route)}`, { method: route.method, headers, redirect: 'manual', ...(shape.body !== undefined ? { body: typeof shape.body === "string" ? shape.body : new Uint8Array(shape.body) } : {}) });
            const text = await res.text();
            tally.inputs++;
            if (res.status >= 500) {
              tally.server++;
              failures.push(`${where} → ${res.status} ${text.slice(0, 160)}`);
            } else if (res.status >= 400) {
              tally.client++;
              try {
                assertMamoriError(res.status, res.headers.get('content-type') ?? '', text, where);
              } catch (err) {
                failures.push(err instanceof Error ? err.message : String(err));
              }
            } else tally.ok++;
          }
        }
        console.log(`# fuzz on ${dialect}: ${routes.length} routes, ${tally.inputs} inputs, ${tally.client} 4xx, ${tally.server} 5xx, ${tally.ok} 2xx/3xx, 0 crashes`);
        assert.deepEqual(failures, []);
      } finally {
        await server.stop();
      }
    });
  });
}
