import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { ConsentKeyVerifier } from '../consent/consent-api-keys.ts';
import { CONSENT_KEY_PREFIX } from '../consent/consent-api-keys.ts';
import type { ConsentConfig, ConsentPurpose } from '../consent/consent-config.ts';
import { decideFromSubjectRows } from '../consent/consent-decisions.ts';
import { andThen, type PreferenceReader, type PreferenceRow } from '../consent/preference-reader.ts';
import type { FastHandler } from './fast-routes.ts';

/** Query values as the route's schema accepts them: a subject without control characters, one purpose id. */
const SUBJECT = /^[^\u0000-\u001f\u007f]{1,200}$/;
const PURPOSE = /^[a-z][a-z0-9_]{0,99}$/;
/** Raw query characters taken as they are (anything else, `+` included, is left to Fastify's parser). */
const RAW = /^[A-Za-z0-9_.~%-]*$/;

/**
 * `subject` and `purpose` from a raw query string of exactly those two keys, each once, percent-decoded; undefined for
 * any other shape (another key, a repeated key, several purposes, a `+`, a bad escape), which Fastify's route then
 * answers with its own checks and errors.
 */
export function parseSingleDecisionQuery(query: string): { subject: string; purpose: string } | undefined {
  const amp = query.indexOf('&');
  if (amp === -1 || query.indexOf('&', amp + 1) !== -1) return undefined;
  let subject: string | undefined;
  let purpose: string | undefined;
  for (const pair of [query.slice(0, amp), query.slice(amp + 1)]) {
    const eq = pair.indexOf('=');
    if (eq === -1) return undefined;
    const raw = pair.slice(eq + 1);
    if (!RAW.test(raw)) return undefined;
    let value: string;
    try {
      value = raw.includes('%') ? decodeURIComponent(raw) : raw;
    } catch {
      return undefined;
    }
    const key = pair.slice(0, eq);
    if (key === 'subject' && subject === undefined) subject = value;
    else if (key === 'purpose' && purpose === undefined) purpose = value;
    else return undefined;
  }
  if (subject === undefined || purpose === undefined || !SUBJECT.test(subject) || !PURPOSE.test(purpose)) return undefined;
  return { subject, purpose };
}

/**
 * The `Authorization` header (the first, as `req.headers` keeps it), or undefined when there is none or the request is
 * conditional (`If-None-Match`, the route's case). Read from the raw list: Node builds `req.headers` on first use, and
 * the common case never needs it.
 */
export function plainAuthorization(raw: readonly string[]): string | undefined {
  let auth: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length !== 13) continue; // both names are 13 characters long
    const lower = name.toLowerCase();
    if (lower === 'if-none-match') return undefined;
    if (lower === 'authorization' && auth === undefined) auth = raw[i + 1];
  }
  return auth;
}

const CONTENT_TYPE = 'application/json; charset=utf-8';

function send(res: ServerResponse, body: string): void {
  res.writeHead(200, ['content-type', CONTENT_TYPE, 'content-length', String(Buffer.byteLength(body)), 'x-request-id', randomUUID()]);
  res.end(body);
}

/** A purpose's answers by what they depend on, and the preference rows that decide it (its own and its tools'). */
interface PurposeAnswers {
  toolRows: string[];
  byState: Map<string, string>;
}

/**
 * A single decision depends on the subject's row for the purpose (whether it allows, under which policy version) and,
 * for each of its tools, on whether the subject switched that tool off: nothing else. Its JSON is made once per
 * config, purpose and such state, and every subject in the same state gets the same string, so a million remembered
 * subjects hold no answer each and a page view makes none.
 */
function sharedAnswers(): (config: ConsentConfig, purpose: ConsentPurpose, rows: readonly PreferenceRow[]) => string {
  let owner: ConsentConfig | undefined;
  let byPurpose = new Map<string, PurposeAnswers>();
  return (config, purpose, rows) => {
    if (owner !== config) {
      owner = config;
      byPurpose = new Map();
    }
    let answers = byPurpose.get(purpose.id);
    if (!answers) byPurpose.set(purpose.id, (answers = { toolRows: purpose.tools.map((t) => `${purpose.id}/${t.id}`), byState: new Map() }));
    let state = '-';
    for (const r of rows) {
      if (r.purpose !== purpose.id) continue;
      state = `${r.allowed}${r.policy_version}`; // allowed is 0 or 1: one digit before the version
      break;
    }
    for (const id of answers.toolRows) state += rows.some((r) => r.purpose === id && r.allowed === 0) ? '0' : '1';
    let answer = answers.byState.get(state);
    if (answer === undefined) {
      answer = JSON.stringify(decideFromSubjectRows(config, purpose.id, rows));
      if (answers.byState.size < 1000) answers.byState.set(state, answer); // a handful of policy versions in practice
    }
    return answer;
  };
}

/**
 * `GET /api/v1/decisions?subject=…&purpose=…` ahead of Fastify, for the case that is every page view: one purpose the
 * policy has, a consent key this process verified in the last few seconds. It answers exactly what the route would
 * (the decision `decide` gives, the same JSON, an `x-request-id`) with none of the routing, hooks, logger or reply
 * machinery, and its JSON is shared by every subject whose rows decide the purpose the same way.
 * Everything else (batch form, staff keys, unknown or new keys, unknown purposes, malformed queries, conditional
 * requests, a failed read) is declined and answered by the route in consent-routes.ts.
 */
export function fastSingleDecision(deps: { reader: PreferenceReader; keys: ConsentKeyVerifier; config: () => ConsentConfig }): FastHandler {
  const shared = sharedAnswers();
  return (req, res, decline) => {
    const auth = plainAuthorization(req.rawHeaders);
    if (auth === undefined || !auth.startsWith(`Bearer ${CONSENT_KEY_PREFIX}`)) return false;
    const token = auth.slice(7).trim();
    if (!deps.keys.cached(token)) return false;
    const url = req.url ?? '';
    const q = parseSingleDecisionQuery(url.slice(url.indexOf('?') + 1));
    if (!q) return false;
    const config = deps.config();
    const declared = config.byId.get(q.purpose);
    if (!declared) return false;
    // A purpose that needs no choice is decided without the subject's rows.
    const body = declared.choice === 'none' ? shared(config, declared, []) : andThen(deps.reader.all(q.subject), (rows) => shared(config, declared, rows));
    if (typeof body === 'string') {
      send(res, body);
      return true;
    }
    body.then((b) => send(res, b), decline);
    return true;
  };
}
