import { z } from 'zod';
import { MamoriError } from '../errors.ts';
import { bannerConfig } from '../consent/consent-api-schemas.ts';
import { loadConsentBundle } from '../consent/consent-client-bundle.ts';
import { consentConfigOf, type ConsentConfig } from '../consent/consent-config.ts';
import '../consent/consent-errors.ts';
import { toClientConfig, toClientTexts } from '../consent/client-config.ts';
import { consentVersion, getConsentVersion, listConsentVersions, recordConsentVersion } from '../consent/consent-versions.ts';
import { errorBody } from './openapi.ts';
import { etagMatches, etagOf } from './etag.ts';
import { encodeBody, sendEncoded, type EncodedBody } from './encoded-body.ts';
import type { RouteModule } from './route-module.ts';

const API_TAGS = ['consent'];

/** JSON safe to inline in a script element (no `</script>`, no line separators JavaScript reads as line ends). */
const inlineJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

interface Served {
  recorded: Promise<void>;
  script: Promise<EncodedBody | null>;
  json: { body: string; etag: string };
  texts: EncodedBody;
}

/**
 * What a page loads to ask consent, all public:
 * - `/consent.js`: the banner with what the page needs at once inlined (purposes, choices, tools, cookies, names);
 * - `/api/v1/consent/texts?v=<version>`: the settings dialog's longer texts, fetched by consent.js when the dialog
 *   first opens; immutable for a version, so a browser asks once per version;
 * - `/api/v1/consent/config`: everything, for a banner of the operator's own;
 * - `/api/v1/consent/versions[/:version]`: the ledger of what each consent version showed.
 */
export const consentScriptRoutes: RouteModule = async (app, ctx, openapi) => {
  const config = (): ConsentConfig => consentConfigOf(ctx.policy.policy);
  const policyUrl = `${ctx.config.baseUrl}/privacy`;

  // consent.js and its config are revalidated on every page load (a 304 with no body when nothing changed), so a new
  // consent version reaches the next page view instead of waiting out a cache lifetime.
  const served = new WeakMap<ConsentConfig, Served>();
  function servedFor(cfg: ConsentConfig): Served {
    let entry = served.get(cfg);
    if (!entry) {
      const client = inlineJson(toClientConfig(cfg, policyUrl));
      const json = JSON.stringify({ version: cfg.version, policyUrl, purposes: cfg.purposes });
      entry = {
        // A failed write is not cached: the next request tries again.
        recorded: recordConsentVersion(ctx.store.db, ctx.clock, cfg).catch((err: unknown) => {
          served.delete(cfg);
          throw err;
        }),
        script: loadConsentBundle().then((bundle) => {
          if (bundle === null) return null;
          // Compressed once per consent version (the config is inlined), then each request only picks its coding.
          return encodeBody(`(function(){var MAMORI_CONFIG=${client};\n${bundle}})();\n`);
        }),
        json: { body: json, etag: etagOf(json) },
        texts: encodeBody(JSON.stringify(toClientTexts(cfg))),
      };
      served.set(cfg, entry);
    }
    return entry;
  }

  app.get('/api/v1/consent/config', async (request, reply) => {
    const { json, recorded } = servedFor(config());
    await recorded;
    void reply.header('access-control-allow-origin', '*').header('cache-control', 'public, no-cache').header('etag', json.etag);
    if (etagMatches(request.headers['if-none-match'], json.etag)) return reply.status(304).send();
    return reply.type('application/json; charset=utf-8').send(json.body);
  });
  openapi.add('get', '/api/v1/consent/config', {
    summary: 'Purposes, tools and texts for a consent banner, generated from the policy',
    tags: API_TAGS,
    responses: { '200': { description: 'The banner configuration.', schema: bannerConfig } },
  });

  const textsQuery = z.object({ v: z.string().min(1).max(64).optional() });
  // The compact shape consent.js reads (ClientTexts): per purpose its description, per tool provider, what it collects,
  // privacy policy and opt-out links.
  const pair = z.tuple([z.string(), z.string()]);
  const consentTextsSchema = z.object({
    v: z.string().describe('The consent version'),
    p: z.array(z.object({ d: pair.describe('Description'), t: z.array(z.object({ p: pair.nullable().describe('Provider'), c: z.array(pair).describe('What it collects'), u: z.string().nullable().describe('Privacy policy URL'), o: z.string().nullable().describe('Opt-out URL') })) })),
  });
  app.get('/api/v1/consent/texts', async (request, reply) => {
    const cfg = config();
    const q = textsQuery.safeParse(request.query);
    const { texts, recorded } = servedFor(cfg);
    await recorded;
    // Asked for the current version: the answer never changes, so it is cached for good. Anything else (an older
    // page still open) gets the current texts, revalidated every time.
    const current = q.success && q.data.v === cfg.version;
    void reply.header('access-control-allow-origin', '*').header('cache-control', current ? 'public, max-age=31536000, immutable' : 'public, no-cache');
    return sendEncoded(request, reply, texts, 'application/json; charset=utf-8');
  });
  openapi.add('get', '/api/v1/consent/texts', {
    summary: "The settings dialog's texts for consent.js (descriptions, recipients, links), one entry per purpose in the order of the script's config",
    tags: API_TAGS,
    query: textsQuery,
    responses: { '200': { description: 'The texts of the current consent version; cached for good when `v` names it. Pairs are `[ja, en]`.', schema: consentTextsSchema } },
  });

  app.get('/consent.js', async (request, reply) => {
    const entry = servedFor(config());
    await entry.recorded;
    const script = await entry.script;
    if (script === null) throw new MamoriError('MAMORI_CONSENT_CLIENT_UNAVAILABLE');
    void reply.header('cache-control', 'public, no-cache').header('x-content-type-options', 'nosniff');
    return sendEncoded(request, reply, script, 'application/javascript; charset=utf-8');
  });

  // The ledger of consent versions: what the banner showed under each version a receipt may name. Public, like the
  // policy's own revisions; a version's content never changes once served.
  app.get('/api/v1/consent/versions', async () => ({ versions: await listConsentVersions(ctx.store.db) }));
  openapi.add('get', '/api/v1/consent/versions', {
    summary: 'Every consent version served, newest first, with the purposes the banner showed',
    tags: API_TAGS,
    responses: { '200': { description: 'The versions.', schema: z.object({ versions: z.array(consentVersion) }) } },
  });
  const versionParams = z.object({ version: z.string().min(1).max(64) });
  app.get('/api/v1/consent/versions/:version', async (request, reply) => {
    const params = versionParams.safeParse(request.params);
    if (!params.success) throw new MamoriError('MAMORI_CONSENT_VERSION_NOT_FOUND');
    const found = await getConsentVersion(ctx.store.db, params.data.version);
    void reply.header('cache-control', 'public, max-age=86400, immutable');
    return found;
  });
  openapi.add('get', '/api/v1/consent/versions/:version', {
    summary: 'What the banner showed under one consent version (the version a receipt names)',
    tags: API_TAGS,
    params: versionParams,
    responses: { '200': { description: 'The version.', schema: consentVersion }, '404': { description: 'No such version.', schema: errorBody } },
  });
};

