import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createManualClock } from '../../src/clock.ts';
import { createAssertion } from '../../src/auth/signed-assertion.ts';
import { createStaffUser } from '../../src/staff/staff-users.ts';
import { routeCatalog } from '../../src/http/route-catalog.ts';
import { recordProvision } from '../../src/records/provision-records.ts';
import { createIncident } from '../../src/records/incidents.ts';
import { createOptOutFiling } from '../../src/records/optout-filings.ts';
import { requestStates } from '../../src/requests/request-state.ts';
import { requestKinds, paymentMethods } from '../../src/policy/schema.ts';
import { consoleCsrf, signIn, startTestServer, type CookieJar, type TestServer } from '../staff/console-helpers.ts';

const ASSERTION_SECRET = 'operator-app-shared-secret-0123456789';
const ADMIN = { email: 'admin@example.jp', password: 'admin password long enough' };

/**
 * What a reader sees: text outside tags, styles and scripts, entities decoded. Text marked up as <code> is left out:
 * the console uses it only for values staff must quote verbatim (a command line, another domain's raw audit record).
 */
function visibleText(page: string): string {
  const main = /<main[^>]*>([\s\S]*)<\/main>/.exec(page)?.[1] ?? page;
  return main.replace(/<(style|script|code)[\s\S]*?<\/\1>/g, ' ').replace(/<[^>]+>/g, ' ').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'");
}

/** snake_case words (ids such as req_…, long random tails, are request numbers people quote, not codes). */
function snakeTokens(text: string): string[] {
  return [...text.matchAll(/(?<![\w.@/-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w@/-])/g)].map((m) => m[0]).filter((w) => !/_[a-z0-9]{16,}$/.test(w));
}

/** Closed-set values that are plain words: they must not stand alone on a Japanese page. */
const enumWords = new Set<string>([...requestStates, ...requestKinds, ...paymentMethods, 'single', 'batch', 'full', 'partial', 'refused', 'alternative', 'manual', 'on_track', 'late', 'zip', 'letter', 'electronic', 'paper', 'open', 'done', 'failed', 'skipped', 'queued', 'running', 'waived', 'draft', 'filed', 'published']);

/** The records pages: on an English console every word mamori writes is English; only what staff typed stays Japanese. */
const isRecordsPage = (path: string) => /^\/console\/(records|incidents|statistics|anonymization|revision-notices|audit)(\/|$|\?)/.test(path);
/** What this test typed into the records and requests (people's and staff's own words, shown as typed). */
const typedData = ['株式会社例', '氏名', '誤送信', 'メールを誤った宛先に送信しました。', '会員情報の提供', '表示名の訂正', '表示名', 'はなこ', '花子', '会員情報', '電話で確認済み', 'ジロウ 0401', '登録情報の開示'];
const japanese = /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]+/gu;

describe('no internal codes in what staff read', () => {
  const clock = createManualClock('2026-04-01T00:00:00Z');
  let server: TestServer;
  let jar: CookieJar;
  let requestId = '';
  let incidentId = '';
  let paidId = '';

  before(async () => {
    server = await startTestServer('sqlite', { clock, config: { assertionSecret: ASSERTION_SECRET } });
    await createStaffUser(server.ctx.store.db, clock, { email: ADMIN.email, role: 'admin', password: ADMIN.password, actor: 'cli' });
    jar = (await signIn(server.url, ADMIN.email, ADMIN.password)).jar;
    const csrf = await consoleCsrf(server.url, jar);
    // A request with a full history: filed, gathered by hand, a note, decided; its page shows every part.
    const email = 'hanako@example.jp';
    const assertion = createAssertion({ sub: email, email, exp: Math.floor(clock.now().getTime() / 1000) + 300 }, ASSERTION_SECRET);
    const fd = new FormData();
    for (const [k, v] of Object.entries({ kind: 'correction', lang: 'ja', applicant: 'self', email, account_id: 'hanako01', description: '表示名の訂正', current_value: '花子', correct_value: 'はなこ', assertion })) fd.set(k, v);
    const filed = await fetch(`${server.url}/privacy-center/requests`, { method: 'POST', body: fd, redirect: 'manual' });
    requestId = /requests\/(req_[^?]+)/.exec(filed.headers.get('location') ?? '')?.[1] ?? '';
    const post = (action: string, fields: Record<string, string>) => fetch(`${server.url}/console/requests/${requestId}/${action}`, { method: 'POST', redirect: 'manual', headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: csrf, ...fields }) });
    assert.equal((await post('gather', { title: '会員情報', rows: '表示名: はなこ' })).status, 303);
    assert.equal((await post('note', { text: '電話で確認済み' })).status, 303);
    assert.equal((await post('gather-systems', {})).status, 303);
    // A disclosure whose fee was paid by bank transfer: the fee line names the method in words.
    const fd2 = new FormData();
    for (const [k, v] of Object.entries({ kind: 'disclosure', lang: 'ja', applicant: 'self', email: 'jiro@example.jp', description: '登録情報の開示', assertion: createAssertion({ sub: 'jiro@example.jp', email: 'jiro@example.jp', exp: Math.floor(clock.now().getTime() / 1000) + 300 }, ASSERTION_SECRET) })) fd2.set(k, v);
    paidId = /requests\/(req_[^?]+)/.exec((await fetch(`${server.url}/privacy-center/requests`, { method: 'POST', body: fd2, redirect: 'manual' })).headers.get('location') ?? '')?.[1] ?? '';
    const paid = await fetch(`${server.url}/console/requests/${paidId}/mark-paid`, { method: 'POST', redirect: 'manual', headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: csrf, method: 'bank_transfer', reference: 'ジロウ 0401', amount: '1500' }) });
    assert.equal(paid.status, 303);
    // Records whose pages show closed sets: a provision record (basis, form) and a breach incident (its deadlines).
    await recordProvision(server.ctx.store.db, clock, 'cli', { basis: 'consent', providedOn: '2026-04-01', recipient: { name: '株式会社例' }, subjects: ['a', 'b'], dataItems: ['氏名'], consentProof: 'form v1' }, 'cli');
    await createOptOutFiling(server.ctx.store.db, clock, 'cli', { title: '会員情報の提供', dataItems: ['氏名'] });
    incidentId = (await createIncident(server.ctx.store.db, clock, 'cli', { title: '誤送信', discoveredAt: '2026-04-01T10:00:00+09:00', description: 'メールを誤った宛先に送信しました。', dataItems: ['氏名'], affectedCount: 2, sensitiveData: true })).id;
    assert.equal((await post('decide', { outcome: 'full', c1_field: '表示名', c1_before: 'はなこ', c1_after: '花子' })).status, 303);
  });
  after(async () => server.stop());

  test('every console page, in Japanese and in English, shows no snake_case token and no bare enum value', { timeout: 120_000 }, async () => {
    const pages = routeCatalog(server.app)
      .filter((r) => r.method === 'GET' && (r.url === '/console' || r.url.startsWith('/console/')) && !/\.(csv|json)$|\/files\/|\/letter$|\/logout$|\/export/.test(r.url))
      .map((r) => r.url.replace(/:id/, r.url.startsWith('/console/incidents') ? incidentId : requestId).replace(/:[A-Za-z_]+/g, 'zz_missing_1'));
    assert.ok(pages.length >= 8, `console pages found: ${pages.join(' ')}`);
    assert.ok(pages.filter(isRecordsPage).length >= 8, `records pages found: ${pages.filter(isRecordsPage).join(' ')}`);
    pages.push(`/console/requests/${paidId}`, '/console?scope=all', '/console?scope=closed');
    const problems: string[] = [];
    for (const path of pages) {
      for (const lang of ['ja', 'en'] as const) {
        const res = await fetch(`${server.url}${path}${path.includes('?') ? '&' : '?'}lang=${lang}`, { headers: { cookie: jar.header(), accept: 'text/html' } });
        if (!(res.headers.get('content-type') ?? '').includes('text/html')) continue;
        // The draft report to the PPC is a Japanese document by design (the PPC takes reports in Japanese); its frame is not.
        const page = (await res.text()).replace(/<div lang="ja">[\s\S]*<\/main>/, '</main>');
        const text = visibleText(page).replace(/zz_missing_1/g, '');
        if (lang === 'en' && isRecordsPage(path)) {
          const rest = typedData.reduce((acc, d) => acc.split(d).join(' '), text);
          const left = [...new Set(rest.match(japanese) ?? [])];
          if (left.length > 0) problems.push(`en ${path}: Japanese words ${left.slice(0, 12).join(' | ')}`);
        }
        const snake = snakeTokens(text);
        if (snake.length > 0) problems.push(`${lang} ${path}: ${[...new Set(snake)].join(', ')}`);
        if (lang === 'ja') {
          const bare = [...new Set([...text.matchAll(/(?<![\w.@/-])[a-z]+(?![\w@/-])/g)].map((m) => m[0]).filter((w) => enumWords.has(w)))];
          if (bare.length > 0) problems.push(`ja ${path}: bare values ${bare.join(', ')}`);
        }
      }
    }
    assert.deepEqual(problems, []);
    const paidPage = visibleText(await (await fetch(`${server.url}/console/requests/${paidId}?lang=ja`, { headers: { cookie: jar.header(), accept: 'text/html' } })).text());
    assert.match(paidPage, /入金済（銀行振込・照合番号 ジロウ 0401）/);
    assert.match(paidPage, /支払方法: 銀行振込/, 'the timeline entry in words');
    // The records pages speak English on an English console: the verdict, the deadlines and the dates in English form.
    const incidentEn = visibleText(await (await fetch(`${server.url}/console/incidents/${incidentId}?lang=en`, { headers: { cookie: jar.header(), accept: 'text/html' } })).text());
    assert.match(incidentEn, /This incident must be reported to the Personal Information Protection Commission/);
    assert.match(incidentEn, /Preliminary report 4 Apr 2026\s+\(On track\)/);
    const recordsEn = visibleText(await (await fetch(`${server.url}/console/records?lang=en`, { headers: { cookie: jar.header(), accept: 'text/html' } })).text());
    assert.match(recordsEn, /Consent of the person\s+Single provision/);
    const recordsJa = visibleText(await (await fetch(`${server.url}/console/records?lang=ja`, { headers: { cookie: jar.header(), accept: 'text/html' } })).text());
    assert.match(recordsJa, /本人の同意\s+個別/);
    assert.match(recordsJa, /下書き/, 'the filing status in words');
  });

  test('a records form that fails answers in the console language, never with the service\'s English message on a Japanese page', async () => {
    const csrf = await consoleCsrf(server.url, jar);
    const post = async (path: string, fields: Record<string, string>, lang: 'ja' | 'en') => {
      const res = await fetch(`${server.url}${path}?lang=${lang}`, { method: 'POST', redirect: 'manual', headers: { cookie: jar.header(), accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: csrf, ...fields }) });
      return { status: res.status, text: visibleText(await res.text()) };
    };
    const ja = await post(`/console/incidents/${incidentId}/submit`, { stage: 'final' }, 'ja');
    assert.equal(ja.status, 409);
    assert.match(ja.text, /報告に必要な事項（規則8条）が未記入です/);
    assert.doesNotMatch(ja.text, /[A-Za-z]{4,} [a-z]{3,} [a-z]{3,}/, 'no English sentence on the Japanese page');
    const en = await post(`/console/incidents/${incidentId}/submit`, { stage: 'final' }, 'en');
    assert.match(en.text, /Items the report needs \(PPC Rules Art\. 8\) are still empty/);
    const provision = await post('/console/records/provisions', { basis: 'consent', form: 'single', providedOn: 'not a date', recipientName: '', dataItems: '' }, 'ja');
    assert.equal(provision.status, 400);
    assert.match(provision.text, /記録の入力内容に不足または誤りがあります/);
  });

  test('the audit page names tampering in the console language', async () => {
    // Last in this file: it breaks the chain on purpose.
    await sql`update audit_events set data = ${'{"forged":true}'} where seq = 2`.execute(server.ctx.store.db);
    const read = async (lang: 'ja' | 'en') => visibleText(await (await fetch(`${server.url}/console/audit?lang=${lang}`, { headers: { cookie: jar.header(), accept: 'text/html' } })).text());
    const ja = await read('ja');
    assert.match(ja, /改ざんを検出しました。/);
    assert.match(ja, /2行目（aud_[a-z0-9]+）が書き換えられています。内容がハッシュと一致しません。/);
    assert.doesNotMatch(ja, /was edited/);
    assert.match(await read('en'), /row 2 \(aud_[a-z0-9]+\) was edited/);
  });
});
