import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The operator's site and its third parties, all served on one loopback port and told apart by Host: shop.test is
 * the operator, analytics.test and ads.test stand in for an analytics and an ad company, embed.test for a video
 * player. Chromium reaches them through `--host-resolver-rules=MAP *.test 127.0.0.1`, so nothing leaves the machine.
 *
 * Scenarios under shop.test (each links only to its own pages):
 *   /ok/…     compliant: mamori's consent.js first, the analytics and ad tags held back until their purpose is allowed
 *   /early/…  loads the analytics tag directly, before any consent (and after reject)
 *   /embed/…  compliant, plus a player iframe from embed.test the policy does not declare
 *   /gpc/…    its own script loads the ad tag unless the person refused ads, ignoring Global Privacy Control
 *   /bench/N  20 compliant pages linked in a ring, for the benchmark
 */
export interface LoopbackSite {
  port: number;
  /** `http://shop.test:<port>` */
  origin: string;
  hostRules: string;
  close(): Promise<void>;
}

export async function startLoopbackSite(mamoriPort: () => number): Promise<LoopbackSite> {
  let port = 0;
  const at = (host: string, path: string) => `http://${host}:${port}${path}`;
  const consentJs = () => `<script src="http://privacy.shop.test:${mamoriPort()}/consent.js"></script>`;
  const heldBack = () => `<script type="text/plain" data-mamori-purpose="analytics" src="${at('analytics.test', '/tag.js')}"></script>
<script type="text/plain" data-mamori-purpose="ads" src="${at('ads.test', '/ad.js')}"></script>`;
  const page = (title: string, head: string, body: string) => `<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>${title}</title>${head}</head><body><h1>${title}</h1>${body}</body></html>`;

  const shop = (path: string): string | undefined => {
    const [, scenario, n] = /^\/(ok|early|embed|gpc|bench)\/(\d*)$/.exec(path) ?? [];
    if (!scenario) return undefined;
    const i = Number(n || '1');
    const links = (count: number) => Array.from({ length: count }, (_, k) => `<a href="/${scenario}/${k + 1}">page ${k + 1}</a>`).join(' ') + ' <a href="https://elsewhere.example/">elsewhere</a>';
    switch (scenario) {
      case 'ok':
        return page(`ok ${i}`, consentJs() + heldBack(), links(2));
      case 'early':
        return page(`early ${i}`, consentJs() + `<script src="${at('analytics.test', '/tag.js')}"></script>` + `<script type="text/plain" data-mamori-purpose="ads" src="${at('ads.test', '/ad.js')}"></script>`, links(2));
      case 'embed':
        return page(`embed ${i}`, consentJs() + heldBack(), `<iframe src="${at('embed.test', '/player?v=42')}" title="video"></iframe>` + links(1));
      case 'gpc':
        return page(`gpc ${i}`, consentJs() + `<script type="text/plain" data-mamori-purpose="analytics" src="${at('analytics.test', '/tag.js')}"></script>
<script>var c=JSON.parse(localStorage.getItem('mamori_consent')||'{}').c||{};if(c.ads!==0){var s=document.createElement('script');s.src='${at('ads.test', '/ad.js')}';document.head.appendChild(s);}</script>`, links(1));
      case 'bench':
        return page(`bench ${i}`, consentJs() + heldBack(), `<p>${'記事の本文です。'.repeat(50)}</p>` + `<a href="/bench/${(i % 20) + 1}">next</a> <a href="/bench/${((i + 1) % 20) + 1}">next+1</a>`);
      default:
        return undefined;
    }
  };

  const server: Server = createServer((req, res) => {
    const host = (req.headers.host ?? '').split(':')[0];
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const send = (status: number, type: string, body: string, headers: Record<string, string> = {}) => res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...headers }).end(body);
    if (host === 'shop.test') {
      const html = shop(path);
      return html ? send(200, 'text/html; charset=utf-8', html) : send(404, 'text/plain', 'not found');
    }
    if (host === 'analytics.test') {
      if (path === '/tag.js') return send(200, 'application/javascript', `document.cookie='_la_id=LA.123; path=/';new Image().src='${at('analytics.test', '/collect')}?cid=LA.123&page='+encodeURIComponent(location.pathname);`);
      return send(204, 'image/gif', '');
    }
    if (host === 'ads.test') {
      if (path === '/ad.js') return send(200, 'application/javascript', `document.cookie='_ad_seen=1; path=/';new Image().src='${at('ads.test', '/pixel')}?uid=AD.9';`);
      return send(204, 'image/gif', '');
    }
    if (host === 'embed.test') return send(200, 'text/html; charset=utf-8', '<!doctype html><title>player</title><p>▶</p>');
    return send(404, 'text/plain', 'unknown host');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  return {
    port,
    origin: `http://shop.test:${port}`,
    hostRules: 'MAP *.test 127.0.0.1',
    close: () => new Promise((r) => server.close(() => r())),
  };
}
