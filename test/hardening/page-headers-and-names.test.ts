import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { routeCatalog } from '../../src/http/route-catalog.ts';
import { cleanFilename } from '../../src/requests/request-uploads.ts';
import { startTestServer } from '../staff/console-helpers.ts';
import { concretePath, credentialsForEveryRole } from './hardening-kit.ts';

describe('page headers on every GET route', () => {
  test('every HTML answer has a CSP, frame protection and nosniff; console and privacy-center pages are no-store', { timeout: 60_000 }, async () => {
    const server = await startTestServer('sqlite');
    try {
      const admin = (await credentialsForEveryRole(server)).admin;
      const session = await admin.newSession();
      const gets = routeCatalog(server.app).filter((r) => r.method === 'GET');
      let pages = 0;
      const missing: string[] = [];
      for (const route of gets) {
        for (const signedIn of [true, false]) {
          const headers: Record<string, string> = { accept: 'text/html' };
          if (signedIn && route.guard?.surface === 'console') headers.cookie = session.cookie;
          if (signedIn && route.guard?.surface === 'api') headers.authorization = `Bearer ${admin.apiKey}`;
          const res = await fetch(`${server.url}${concretePath(route)}`, { headers, redirect: 'manual' });
          await res.arrayBuffer();
          const type = res.headers.get('content-type') ?? '';
          if (!type.startsWith('text/html')) continue;
          pages++;
          const where = `${route.url} (${signedIn ? 'signed in' : 'anonymous'}, ${res.status})`;
          const csp = res.headers.get('content-security-policy') ?? '';
          if (!csp) missing.push(`${where}: no CSP`);
          if (!/frame-ancestors 'none'|sandbox/.test(csp) && res.headers.get('x-frame-options') !== 'DENY') missing.push(`${where}: no frame protection`);
          if (res.headers.get('x-content-type-options') !== 'nosniff') missing.push(`${where}: no nosniff`);
          if (/^\/(console|privacy-center)/.test(route.url) && !/no-store/.test(res.headers.get('cache-control') ?? '')) missing.push(`${where}: not no-store`);
        }
      }
      console.log(`# header crawl: ${gets.length} GET routes, ${pages} HTML answers checked`);
      assert.ok(pages > 30, `crawled ${pages} pages`);
      assert.deepEqual(missing, []);
    } finally {
      await server.stop();
    }
  });
});

describe('uploaded file names', () => {
  test('bidi overrides, isolates and zero-width characters are stripped, so a name shows as what it is', () => {
    assert.equal(cleanFilename('invoice\u202Efdp.exe'), 'invoicefdp.exe');
    assert.equal(cleanFilename('\u2067a\u2069b\u200Bc\u200D.pdf'), 'abc.pdf');
    assert.equal(cleanFilename('..\\..\\etc/passwd\u0000.pdf'), 'passwd_.pdf');
    assert.equal(cleanFilename('\u202E'), 'file');
    assert.equal(cleanFilename('本人確認書類.pdf'), '本人確認書類.pdf');
  });
});
