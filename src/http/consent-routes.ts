import { Readable } from 'node:stream';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Actor } from '../audit/audit-log.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { verifyAssertion } from '../auth/signed-assertion.ts';
import { consumeAssertion } from '../auth/assertion-replay.ts';
import { issueConsentSession, verifyConsentSession } from '../auth/consent-session.ts';
import type { AppContext } from '../context.ts';
import { MamoriError, isMamoriError } from '../errors.ts';
import {
  decision,
  decisionQuery,
  decisionsResponse,
  recordConsentBody,
  recordConsentResponse,
  subjectConsents as subjectConsentsSchema,
  type ConsentMethod,
} from '../consent/consent-api-schemas.ts';
import { createConsentKeyVerifier, CONSENT_KEY_PREFIX, envConsentKeys } from '../consent/consent-api-keys.ts';
import { consentConfigOf, type ConsentConfig } from '../consent/consent-config.ts';
import { decide, decideMany } from '../consent/consent-decisions.ts';
import '../consent/consent-errors.ts';
import { subjectConsents } from '../consent/consent-receipts.ts';
import { createReceiptWriter } from '../consent/receipt-writer.ts';
import { browserSubjectPattern, subjectId } from '../consent/consent-subject.ts';
import { recordConsentVersion } from '../consent/consent-versions.ts';
import { andThen, createPreferenceReader } from '../consent/preference-reader.ts';
import { addPreferenceCacheMetrics, createCachedPreferenceReader } from '../consent/preference-cache.ts';
import { exportReceiptsJsonl } from '../consent/receipt-export.ts';
import { errorBody } from './openapi.ts';
import { etagMatches } from './etag.ts';
import { requireApiKey } from './staff-auth.ts';
import { fastSingleDecision } from './consent-fast-decisions.ts';
import type { RouteModule } from './route-module.ts';
import { renderPreferencesPage, renderSignInNeededPage, toolField, toolSwitches } from '../consent/preferences-page.ts';
import { localize } from '../policy/load-policy.ts';
import { pickLang } from '../html/layout.ts';

/** Largest consent body accepted: a choice per purpose fits easily; anything bigger is not a banner. */
const CONSENT_BODY_LIMIT = 16 * 1024;
const PREFS_COOKIE = 'mamori_prefs';
const PREFS_SESSION_MS = 30 * 60 * 1000;
const API_TAGS = ['consent'];
/** Receipts one address may record without an API key per minute: generous for people, a wall for a flood. */
const BROWSER_RECEIPTS_PER_MINUTE = 60;
const apiKeySecurity = [{ apiKey: [] }];

/** Methods a browser may record without an API key (the banner, or its GPC signal). */
const browserMethods: ReadonlySet<ConsentMethod> = new Set(['banner', 'gpc']);

/**
 * Consent routes.
 * - `POST /api/v1/consents`: consent.js (anonymous `anon_…` ids, CORS for MAMORI_CORS_ORIGINS only), a logged-in page
 *   (with a signed assertion), or the operator's servers (API key, any subject and method).
 * - `GET /api/v1/consents/:subject`, `GET /api/v1/decisions`: API key only. Authentication for server-to-server calls
 *   is `Authorization: Bearer <key>` with either a consent API key (`mamori_ck_…`: only consent, made with
 *   `createConsentApiKey` and stored hashed, or listed in MAMORI_CONSENT_API_KEYS) or a staff API key (admin, officer
 *   or staff role, via `requireApiKey`). An app that only asks for decisions should get a consent key, not a staff
 *   key. Decisions are not audited (they are the hot path and reveal no more than the app already asks about);
 *   exports and API-recorded choices are.
 * - `/consent.js` and what it loads: consent-script-routes.ts.
 * - `/privacy-center/preferences`: the settings page for a person arriving from the operator's app with an assertion.
 */
export const consentRoutes: RouteModule = async (app, ctx, openapi) => {
  // Every instance remembers subjects' rows, kept coherent by the change feed: on PostgreSQL by NOTIFY from every
  // instance, on SQLite by this process's own writes and a watch for other processes' commits (change-feed.ts).
  // On SQLite too: a page view's decision then costs no statement, no read lock and no B-tree walk.
  // On PostgreSQL, when every subject fits, the cache preloads the table and then answers subjects without rows too.
  const reader = createCachedPreferenceReader(await createPreferenceReader(ctx.store), ctx.changes, { maxSubjects: ctx.config.preferenceCacheSubjects, admitOnSecondMiss: ctx.store.dialect === 'sqlite' });
  app.addHook('onClose', () => reader.close());
  addPreferenceCacheMetrics(ctx.metrics, reader);
  const envKeys = envConsentKeys.safeParse(process.env.MAMORI_CONSENT_API_KEYS);
  if (!envKeys.success) throw new MamoriError('MAMORI_CONFIG_INVALID', envKeys.error.issues.map((i) => i.message).join('; '));
  const keys = createConsentKeyVerifier(ctx.store.db, ctx.clock, { envKeys: envKeys.data, changes: ctx.changes });
  const staffKey = requireApiKey(ctx, 'consents.manage');
  const config = (): ConsentConfig => consentConfigOf(ctx.policy.policy);
  const deps = () => ({ store: ctx.store, clock: ctx.clock, secret: ctx.config.secret, config: config(), changes: ctx.changes });
  // Receipts arriving together are committed together (one transaction, one hold of the audit chain's lock).
  const receipts = createReceiptWriter({ store: ctx.store, clock: ctx.clock, changes: ctx.changes });
  const ownOrigin = new URL(ctx.config.baseUrl).origin;
  await recordConsentVersion(ctx.store.db, ctx.clock, config());
  const policyUrl = `${ctx.config.baseUrl}/privacy`;

  async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<Actor> {
    const token = bearerToken(request);
    if (token.startsWith(CONSENT_KEY_PREFIX)) {
      const id = keys.cached(token) ?? (await keys.verify(token));
      if (id) return `apikey:${id}`;
      throw new MamoriError('MAMORI_API_KEY_INVALID');
    }
    if (!token) throw new MamoriError('MAMORI_API_KEY_INVALID');
    try {
      await staffKey.call(app, request, reply);
    } catch (err) {
      if (isMamoriError(err)) throw err;
      throw new MamoriError('MAMORI_API_KEY_INVALID');
    }
    if (!request.staff) throw new MamoriError('MAMORI_API_KEY_INVALID');
    return `staff:${request.staff.id}`;
  }

  function bearerToken(request: FastifyRequest): string {
    const header = request.headers.authorization ?? '';
    return header.startsWith('Bearer ') ? header.slice(7).trim() : '';
  }

  /** CORS for consent.js: only configured origins (and mamori's own) are answered; anything else is refused. */
  function allowOrigin(request: FastifyRequest, reply: FastifyReply): void {
    const origin = request.headers.origin;
    if (origin === undefined) return;
    if (origin !== ownOrigin && !ctx.config.corsOrigins.includes(origin)) throw new MamoriError('MAMORI_CONSENT_ORIGIN_FORBIDDEN');
    void reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
  }

  // Fixed one-minute windows per client address, kept in memory only (addresses are never stored or logged).
  const windows = new Map<string, { start: number; count: number }>();
  function limitBrowser(request: FastifyRequest): void {
    const now = ctx.clock.now().getTime();
    if (windows.size > 10_000) for (const [ip, w] of windows) if (now - w.start >= 60_000) windows.delete(ip);
    const w = windows.get(request.ip);
    if (!w || now - w.start >= 60_000) windows.set(request.ip, { start: now, count: 1 });
    else if (++w.count > BROWSER_RECEIPTS_PER_MINUTE) throw new MamoriError('MAMORI_RATE_LIMITED');
  }

  app.options('/api/v1/consents', async (request, reply) => {
    allowOrigin(request, reply);
    return reply.status(204).header('access-control-allow-methods', 'POST').header('access-control-allow-headers', 'content-type').header('access-control-max-age', '600').send();
  });

  app.post('/api/v1/consents', { bodyLimit: CONSENT_BODY_LIMIT }, async (request, reply) => {
    allowOrigin(request, reply);
    const parsed = recordConsentBody.safeParse(request.body);
    if (!parsed.success) {
      throw new MamoriError('MAMORI_CONSENT_INVALID_BODY', undefined, { issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
    }
    const body = parsed.data;
    let subject: string;
    let recordedBy: 'browser' | Actor;
    let session: string | undefined;
    if (request.headers.authorization) {
      recordedBy = await authenticate(request, reply);
      if (!body.subject) throw new MamoriError('MAMORI_CONSENT_INVALID_SUBJECT', 'Give the subject.');
      subject = body.subject;
    } else if (body.assertion !== undefined) {
      const verified = verifyAssertion(body.assertion, ctx.config.assertionSecret, ctx.clock);
      if (!verified.ok) throw new MamoriError('MAMORI_CONSENT_ASSERTION_INVALID');
      if (body.subject && body.subject !== verified.payload.sub) throw new MamoriError('MAMORI_CONSENT_SUBJECT_FORBIDDEN');
      if (!browserMethods.has(body.method) && body.method !== 'settings') throw new MamoriError('MAMORI_CONSENT_METHOD_FORBIDDEN');
      // One-time: a copied assertion records nothing; the banner continues with the session returned below.
      await consumeAssertion(ctx.store.db, ctx.clock, ctx.config.assertionSecret, body.assertion);
      subject = verified.payload.sub;
      recordedBy = `subject:${subject}`;
      session = issueConsentSession(ctx.config.secret, subject, ctx.clock);
    } else if (body.session !== undefined) {
      const named = verifyConsentSession(ctx.config.secret, body.session, ctx.clock);
      if (named === null) throw new MamoriError('MAMORI_CONSENT_ASSERTION_INVALID');
      if (body.subject && body.subject !== named) throw new MamoriError('MAMORI_CONSENT_SUBJECT_FORBIDDEN');
      if (!browserMethods.has(body.method) && body.method !== 'settings') throw new MamoriError('MAMORI_CONSENT_METHOD_FORBIDDEN');
      subject = named;
      recordedBy = `subject:${subject}`;
      session = body.session;
    } else {
      limitBrowser(request);
      if (!body.subject || !browserSubjectPattern.test(body.subject)) throw new MamoriError('MAMORI_CONSENT_SUBJECT_FORBIDDEN');
      if (!browserMethods.has(body.method)) throw new MamoriError('MAMORI_CONSENT_METHOD_FORBIDDEN');
      subject = body.subject;
      recordedBy = 'browser';
    }
    const receipt = await receipts.record(deps(), {
      subject,
      choices: body.choices,
      tools: body.tools,
      policyVersion: body.policyVersion ?? config().version,
      method: body.method,
      recordedBy,
      origin: request.headers.origin ?? null,
    });
    return reply.status(201).send(session === undefined ? { receipt } : { receipt, session });
  });
  openapi.add('post', '/api/v1/consents', {
    summary: 'Record a consent receipt (a withdrawal is a receipt with false)',
    tags: API_TAGS,
    body: recordConsentBody,
    responses: {
      '201': { description: 'The receipt, with its proof.', schema: recordConsentResponse },
      '400': { description: 'Unknown purpose, a purpose without choice, a consent version never served (except for imports), or a malformed body (MAMORI_CONSENT_*, MAMORI_BAD_REQUEST).', schema: errorBody },
      '401': { description: 'A signed assertion or consent session that is forged or expired (MAMORI_CONSENT_ASSERTION_INVALID), or an assertion already used (MAMORI_REQUEST_ASSERTION_USED).', schema: errorBody },
      '403': { description: 'Origin not allowed, or a browser writing for a user id.', schema: errorBody },
      '413': { description: 'Body over 16 KB.', schema: errorBody },
      '429': { description: `More than ${BROWSER_RECEIPTS_PER_MINUTE} receipts a minute from one address without an API key.`, schema: errorBody },
    },
    security: [{}, ...apiKeySecurity],
  });

  const exportQuery = z.object({ from: z.string().regex(/^\d{4}-\d{2}(-\d{2}(T[0-9:.]+Z)?)?$/), to: z.string().regex(/^\d{4}-\d{2}(-\d{2}(T[0-9:.]+Z)?)?$/) });
  app.get('/api/v1/consents/export', async (request, reply) => {
    const actor = await authenticate(request, reply);
    const q = exportQuery.safeParse(request.query);
    if (!q.success) throw new MamoriError('MAMORI_CONSENT_INVALID_BODY', 'Give `from` and `to` as YYYY-MM, YYYY-MM-DD or ISO instants (UTC).');
    await ctx.store.db.transaction().execute((trx) => appendAudit(trx, ctx.clock, { actor, action: 'consent.receipts_exported', targetType: 'consent_receipts', targetId: null, data: { from: q.data.from, to: q.data.to } }));
    return reply.type('application/x-ndjson; charset=utf-8').header('cache-control', 'no-store').send(Readable.from(exportReceiptsJsonl(ctx.read.db, q.data)));
  });
  openapi.add('get', '/api/v1/consents/export', {
    summary: 'Every receipt recorded in [from, to), oldest first, streamed as JSON Lines (read from DATABASE_READ_URL when set)',
    tags: API_TAGS,
    query: exportQuery,
    security: apiKeySecurity,
    responses: { '200': { description: 'JSON Lines, one receipt a line', contentType: 'application/x-ndjson' }, '401': { description: 'API key missing or invalid.', schema: errorBody } },
  });

  app.get('/api/v1/consents/:subject', async (request, reply) => {
    const actor = await authenticate(request, reply);
    const params = z.object({ subject: subjectId }).safeParse(request.params);
    if (!params.success) throw new MamoriError('MAMORI_CONSENT_INVALID_SUBJECT');
    const result = await subjectConsents(ctx.store.db, params.data.subject);
    await ctx.store.db.transaction().execute((trx) => appendAudit(trx, ctx.clock, { actor, action: 'consent.exported', targetType: 'consent_subject', targetId: null, data: { receipts: result.receipts.length } }));
    return result;
  });
  openapi.add('get', '/api/v1/consents/:subject', {
    summary: "Export a subject's consent receipts and current preferences",
    tags: API_TAGS,
    params: z.object({ subject: subjectId }),
    security: apiKeySecurity,
    responses: { '200': { description: 'Receipts oldest first and the current preference per purpose.', schema: subjectConsentsSchema }, '401': { description: 'API key missing or invalid.', schema: errorBody } },
  });

  /**
   * The hot path. With a consent key seen in the last few seconds and the SQLite reader, the whole answer is
   * synchronous: no promise, no query builder, one primary-key read. Anything else (a new key, a staff key, the
   * PostgreSQL reader) takes the same steps with awaits. Per-request log lines are off for this path (see app.ts).
   */
  function answerDecisions(request: FastifyRequest, reply: FastifyReply) {
    const q = decisionQuery.safeParse(request.query);
    if (!q.success) throw new MamoriError('MAMORI_CONSENT_INVALID_BODY', 'Give `subject` and optionally `purpose` (one id or several separated by commas).');
    const { subject, purpose } = q.data;
    const cfg = config();
    if (purpose !== undefined && !purpose.includes(',')) return decide(reader, cfg, subject, purpose);
    const ids = purpose === undefined ? undefined : purpose.split(',').filter(Boolean);
    return andThen(decideMany(reader, cfg, subject, ids), ({ decisions, etag }) => {
      void reply.header('etag', etag).header('cache-control', 'private, no-cache');
      if (etagMatches(request.headers['if-none-match'], etag)) return reply.status(304).send();
      return { subject, policyVersion: cfg.version, decisions };
    });
  }
  app.get('/api/v1/decisions', (request, reply) => {
    const token = bearerToken(request);
    if (token.startsWith(CONSENT_KEY_PREFIX) && keys.cached(token)) return answerDecisions(request, reply);
    return authenticate(request, reply).then(() => answerDecisions(request, reply));
  });
  app.fastRoutes.get('/api/v1/decisions', fastSingleDecision({ reader, keys, config })); // its common case, ahead of Fastify
  openapi.add('get', '/api/v1/decisions', {
    summary: 'May this subject be processed for a purpose? One purpose, several (comma-separated) or all',
    tags: API_TAGS,
    query: decisionQuery,
    security: apiKeySecurity,
    responses: {
      '200': { description: 'One purpose: a decision. Several or none given: every decision, with an ETag that changes when the subject records a choice.', schema: z.union([decision, decisionsResponse]) },
      '304': { description: 'Batch form: unchanged since the ETag sent in If-None-Match.' },
      '400': { description: 'Unknown purpose (MAMORI_CONSENT_UNKNOWN_PURPOSE) or bad query.', schema: errorBody },
      '401': { description: 'API key missing or invalid.', schema: errorBody },
    },
  });

  // ---- settings page: a person arriving from the operator's app with a signed assertion ----

  interface PrefsSession {
    sub: string;
    exp: number;
    csrf: string;
  }
  const sessionSchema = z.object({ sub: z.string().min(1).max(200), exp: z.number(), csrf: z.string().min(16) });
  const secure = ctx.config.baseUrl.startsWith('https:');

  function readSession(request: FastifyRequest): PrefsSession | null {
    const raw = request.cookies[PREFS_COOKIE];
    if (!raw) return null;
    const unsigned = request.unsignCookie(raw);
    if (!unsigned.valid || unsigned.value === null) return null;
    try {
      const parsed = sessionSchema.safeParse(JSON.parse(Buffer.from(unsigned.value, 'base64url').toString('utf8')));
      if (!parsed.success || parsed.data.exp <= ctx.clock.now().getTime()) return null;
      return parsed.data;
    } catch {
      return null;
    }
  }

  function startSession(reply: FastifyReply, sub: string): void {
    const session: PrefsSession = { sub, exp: ctx.clock.now().getTime() + PREFS_SESSION_MS, csrf: randomBytes(24).toString('base64url') };
    void reply.setCookie(PREFS_COOKIE, Buffer.from(JSON.stringify(session)).toString('base64url'), {
      signed: true,
      httpOnly: true,
      sameSite: 'strict',
      secure,
      path: '/privacy-center/preferences',
      maxAge: PREFS_SESSION_MS / 1000,
    });
  }

  /** Opens a settings session; the assertion is one-time, like a sign-in link (a replay is MAMORI_REQUEST_ASSERTION_USED). */
  async function enterWithAssertion(token: unknown, reply: FastifyReply, lang: 'ja' | 'en'): Promise<FastifyReply> {
    const verified = verifyAssertion(typeof token === 'string' ? token : '', ctx.config.assertionSecret, ctx.clock);
    if (!verified.ok) throw new MamoriError('MAMORI_CONSENT_ASSERTION_INVALID');
    await consumeAssertion(ctx.store.db, ctx.clock, ctx.config.assertionSecret, String(token));
    startSession(reply, verified.payload.sub);
    // Redirect so the assertion does not stay in the address bar or the history.
    return reply.redirect(`/privacy-center/preferences?lang=${lang}`, 303);
  }

  const pageQuery = z.object({ assertion: z.string().max(4096).optional(), lang: z.enum(['ja', 'en']).optional(), saved: z.string().optional() });

  app.get('/privacy-center/preferences', async (request, reply) => {
    const q = pageQuery.safeParse(request.query);
    const lang = pickLang(request.query, request.headers['accept-language']);
    if (q.success && q.data.assertion) return enterWithAssertion(q.data.assertion, reply, lang);
    const session = readSession(request);
    const service = localize(ctx.policy.policy.service.name, lang);
    void reply.header('cache-control', 'no-store');
    if (!session) return reply.status(401).type('text/html; charset=utf-8').send(renderSignInNeededPage({ lang, service, policyUrl: `${policyUrl}?lang=${lang}` }));
    const { decisions } = await decideMany(reader, config(), session.sub);
    // The person's own tool switches (a refused purpose's decision says every tool is off, whatever they chose).
    const toolsOff = new Set((await reader.all(session.sub)).filter((r) => r.purpose.includes('/') && r.allowed === 0).map((r) => r.purpose));
    return reply.type('text/html; charset=utf-8').send(renderPreferencesPage({ lang, config: config(), decisions, toolsOff, csrf: session.csrf, saved: q.success && q.data.saved === '1', policyUrl: `${policyUrl}?lang=${lang}`, service }));
  });

  const formBody = z.record(z.string(), z.union([z.string(), z.array(z.string())]));

  app.post('/privacy-center/preferences', async (request, reply) => {
    const lang = pickLang(request.query, request.headers['accept-language']);
    const body = formBody.safeParse(request.body ?? {});
    if (!body.success) throw new MamoriError('MAMORI_BAD_REQUEST');
    if (typeof body.data.assertion === 'string') return enterWithAssertion(body.data.assertion, reply, lang);
    const session = readSession(request);
    if (!session) throw new MamoriError('MAMORI_CONSENT_SESSION_EXPIRED');
    const sent = typeof body.data.csrf === 'string' ? Buffer.from(body.data.csrf) : Buffer.alloc(0);
    const expected = Buffer.from(session.csrf);
    if (sent.length !== expected.length || !timingSafeEqual(sent, expected)) throw new MamoriError('MAMORI_CSRF_INVALID');
    const choices: Record<string, boolean> = {};
    const tools: Record<string, Record<string, boolean>> = {};
    for (const p of config().purposes) {
      if (p.choice === 'none') continue;
      choices[p.id] = body.data[`p_${p.id}`] === 'on';
      const switches = toolSwitches(p);
      if (switches.length > 0) tools[p.id] = Object.fromEntries(switches.map((tool) => [tool.id, body.data[toolField(p.id, tool.id)] === 'on']));
    }
    if (Object.keys(choices).length > 0) {
      await receipts.record(deps(), { subject: session.sub, choices, ...(Object.keys(tools).length > 0 ? { tools } : {}), policyVersion: config().version, method: 'settings', recordedBy: `subject:${session.sub}` });
    }
    return reply.redirect(`/privacy-center/preferences?lang=${lang}&saved=1`, 303);
  });
};
