import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadPolicyFile } from '../../src/policy/load-policy.ts';
import { renderPolicy } from '../../src/policy/render.ts';
import { selfName } from '../../src/policy/render-document.ts';
import type { Policy } from '../../src/policy/schema.ts';

const fixture = (name: string): Policy => {
  const r = loadPolicyFile(fileURLToPath(new URL(`../fixtures/render/${name}`, import.meta.url)));
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.loaded.policy;
};
const policy = fixture('policy.yaml');

function h2Titles(page: string): string[] {
  return [...page.matchAll(/<h2 id="([^"]+)">([^<]+)<\/h2>/g)].map((m) => m[2]!);
}

test('Japanese HTML is a complete document with lang, one h1, a table of contents and numbered h2 sections', () => {
  const page = renderPolicy(policy, { lang: 'ja', format: 'html' });
  assert.match(page, /^<!doctype html><html lang="ja">/);
  assert.equal(page.match(/<h1>/g)?.length, 1);
  assert.match(page, /<nav class="toc" aria-label="目次">/);
  assert.match(page, /<main id="main">/);
  assert.match(page, /@media print/);
  const titles = h2Titles(page);
  assert.deepEqual(titles.slice(0, 4), ['1. 事業者の名称・住所・代表者', '2. 用語の定義', '3. 取得する情報と取得の方法', '4. 利用目的']);
  titles.forEach((t, i) => assert.ok(t.startsWith(`${i + 1}. `), `section ${t} is numbered continuously`));
  for (const t of ['共同利用', '外国にある第三者への提供', '保有個人データの開示等の請求', '認定個人情報保護団体', '改定履歴']) {
    assert.ok(titles.some((x) => x.endsWith(t)), `has section ${t}`);
  }
  // every TOC entry points at a section id
  for (const m of page.matchAll(/<li><a href="#([^"]+)">/g)) assert.match(page, new RegExp(`<h2 id="${m[1]}">`));
});

test('the disclosure fee shows the amount with tax wording and payment methods; correction is free', () => {
  const md = renderPolicy(policy, { lang: 'ja', format: 'md' });
  assert.match(md, /1回のご請求につき1,100円（税込）を申し受けます。お支払い方法: 銀行振込（振込手数料はご負担ください）、定額小為替/);
  const correction = md.slice(md.indexOf('### 訂正・追加・削除'), md.indexOf('### 利用停止・消去'));
  assert.match(correction, /手数料はいただきません/);
  assert.match(correction, /保有個人データの内容が事実でないとは認められなかった場合/);
  const en = renderPolicy(policy, { lang: 'en', format: 'md' });
  assert.match(en, /¥1,100 \(tax included\) per request/);
  assert.match(en, /When required or permitted by law \(APPI Art\. 27\(1\)\(1\)\)/);
});

test('statutory refusal grounds and agent proofs appear under disclosure', () => {
  const md = renderPolicy(policy, { lang: 'ja', format: 'md' });
  const disclosure = md.slice(md.indexOf('### 開示（第三者提供記録を含む）'), md.indexOf('### 訂正・追加・削除'));
  assert.match(disclosure, /業務の適正な実施に著しい支障が生じるおそれがある場合/);
  assert.match(disclosure, /他の法令に違反することとなる場合/);
  assert.match(disclosure, /委任状/);
  assert.match(disclosure, /印鑑登録証明書/);
  assert.match(disclosure, /原則として10日以内に回答します/);
  assert.match(md, /その旨とその理由を遅滞なくご本人に通知します/);
});

test('revision history gives Western and era dates, with 制定 first, merged with published versions', () => {
  const md = renderPolicy(policy, { lang: 'ja', format: 'md', version: { number: 2, effectiveOn: '2025-04-01' }, versions: [{ number: 2, effectiveOn: '2025-04-01' }, { number: 1, effectiveOn: '2024-04-01' }] });
  const history = md.slice(md.indexOf('## 19. 改定履歴'));
  // Version 1 put the file's text (already described by its history) into mamori: not a revision of its own.
  assert.match(history, /- 2019年4月30日（平成31年4月30日）　制定\n- 2022年4月1日（令和4年4月1日）　改定：改正個人情報保護法の施行に伴う改定\n- 2025年4月1日（令和7年4月1日）　改定（第2版）/);
  assert.ok(!history.includes('第1版'));
  assert.match(md, /第2版（2025年4月1日施行）/);
  const en = renderPolicy(policy, { lang: 'en', format: 'md' });
  assert.match(en, /April 30, 2019 \(Heisei 31\): Established/);
});

test('the first publication of a file that has a history adds no revision; the next version does', () => {
  const first = renderPolicy(policy, { lang: 'ja', format: 'md', version: { number: 1, effectiveOn: '2026-11-30' }, versions: [{ number: 1, effectiveOn: '2026-11-30' }] });
  const unpublished = renderPolicy(policy, { lang: 'ja', format: 'md' });
  const history = (md: string) => md.slice(md.indexOf('改定履歴'));
  assert.equal(history(first), history(unpublished));
  const second = renderPolicy(policy, { lang: 'ja', format: 'md', version: { number: 2, effectiveOn: '2027-01-01' }, versions: [{ number: 2, effectiveOn: '2027-01-01' }, { number: 1, effectiveOn: '2026-11-30' }] });
  assert.match(history(second), /2027年1月1日（令和9年1月1日）　改定（第2版）/);
  assert.ok(!history(second).includes('2026年11月30日'));
});

test('text from the policy is escaped in HTML and in Markdown', () => {
  const page = renderPolicy(policy, { lang: 'ja', format: 'html' });
  assert.ok(!page.includes('<script>alert(1)</script>'));
  assert.match(page, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  const md = renderPolicy(policy, { lang: 'en', format: 'md' });
  assert.ok(!md.includes('<script>'));
});

test('joint use lists every 27条5項3号 item and opt-out items appear only when the policy provides opt-out', () => {
  const md = renderPolicy(policy, { lang: 'ja', format: 'md' });
  for (const item of ['共同して利用される個人データの項目', '共同して利用する者の範囲', '利用する者の利用目的', '管理について責任を有する者の名称・住所・代表者']) assert.ok(md.includes(item), item);
  assert.ok(!md.includes('オプトアウトによる第三者提供'));
  const withOptOut: Policy = { ...policy, provision: { ...policy.provision, opt_out: { data: ['email'], recipients: 'Partner', acquisition: 'Form', method: 'CSV', stop_request_contacts: ['form'], update_method: 'Monthly', start_date: '2025-01-01', ppc_filing: { status: 'filed', filed_on: '2024-12-01' } } } };
  const md2 = renderPolicy(withOptOut, { lang: 'ja', format: 'md' });
  for (const item of ['第三者への提供を利用目的とすること', '提供する個人データの項目', '個人データの取得の方法', '提供の方法', 'ご本人の求めに応じて提供を停止すること', '停止の求めを受け付ける方法', '個人データの更新の方法', '提供を開始する予定日', '2025年1月1日（令和7年1月1日）']) assert.ok(md2.includes(item), item);
  // numbering stays continuous: the new section shifts the later ones
  assert.match(md2, /## 7\. オプトアウトによる第三者提供/);
  assert.match(md2, /## 8\. 個人データの取扱いの委託/);
});

test('tools show what they collect and how to opt out, with catalog defaults and policy overrides', () => {
  const md = renderPolicy(policy, { lang: 'ja', format: 'md' });
  const ga = md.slice(md.indexOf('### Google Analytics'), md.indexOf('### Sentry'));
  assert.match(ga, /閲覧したページと閲覧日時/);
  assert.match(ga, /ご本人の同意をいただいた場合にのみ有効にします/);
  assert.match(ga, /tools\.google\.com\/dlpage\/gaoptout/);
  const sentry = md.slice(md.indexOf('### Sentry'), md.indexOf('### Cookieの一覧'));
  assert.match(sentry, /当社が自ら管理するサーバーに送信され/);
  assert.match(sentry, /いつでも停止できます/);
});

test('sections that do not apply are left out', () => {
  const bare: Policy = { ...policy, statistics: undefined, provision: { ...policy.provision, joint_use: [], foreign: [], outsourcing: [] }, tools: [], cookies: [], operator: { ...policy.operator, accredited_organization: undefined } };
  const page = renderPolicy(bare, { lang: 'en', format: 'html' });
  const titles = h2Titles(page);
  for (const gone of ['Joint use', 'Provision to recipients in foreign countries', 'External services and cookies', 'Accredited personal information protection organization', 'Statistics, anonymized and pseudonymized information']) {
    assert.ok(!titles.some((t) => t.endsWith(gone)), `${gone} is omitted`);
  }
  titles.forEach((t, i) => assert.ok(t.startsWith(`${i + 1}. `)));
});

test('the operator calls itself 当社 as a corporation and 当サーバー when an individual runs a server', () => {
  assert.deepEqual(selfName(policy), { ja: '当社', en: 'we' });
  const individual: Policy = { ...policy, operator: { ...policy.operator, kind: 'individual' }, service: { name: { ja: 'Misskeyサーバー隠れ里', en: 'Kakurezato Misskey server' } } };
  assert.equal(selfName(individual).ja, '当サーバー');
  const md = renderPolicy(individual, { lang: 'ja', format: 'md' });
  assert.match(md, /（以下「当サーバー」といいます。）/);
});

test('a history that starts with a revision is not relabelled 制定; without any history the first version is 制定', () => {
  const onlyRevised: Policy = { ...policy, history: [{ date: '2012-09-03', kind: 'revised' }] };
  const md = renderPolicy(onlyRevised, { lang: 'ja', format: 'md' });
  assert.match(md, /2012年9月3日（平成24年9月3日）　改定/);
  assert.ok(!md.includes('制定'));
  const noHistory: Policy = { ...policy, history: [] };
  const md2 = renderPolicy(noHistory, { lang: 'ja', format: 'md', versions: [{ number: 2, effectiveOn: '2025-04-01' }, { number: 1, effectiveOn: '2019-05-01' }] });
  assert.match(md2, /2019年5月1日（令和元年5月1日）　制定（第1版）\n- 2025年4月1日（令和7年4月1日）　改定（第2版）/);
});

test('request steps shared by every kind are stated once; the fee stays with each kind', () => {
  const md = renderPolicy(policy, { lang: 'ja', format: 'md' });
  const rights = md.slice(md.indexOf('## 14. 保有個人データの開示等の請求'), md.indexOf('## 15.'));
  assert.equal(rights.match(/\*\*手数料\*\*/g)?.length, 5);
  // identity differs (disclosure also takes ID documents), so it is listed per kind, not in a common block
  assert.equal(rights.match(/\*\*ご本人確認\*\*/g)?.length, 5);
  const same: Policy = { ...policy, requests: { ...policy.requests, kinds: Object.fromEntries(Object.entries(policy.requests.kinds).map(([k, v]) => [k, v && { ...v, channels: ['privacy_center'], identity: ['email_code'], identity_documents: [], agents: { allowed: false, kinds: [], proofs: [] }, target_days: undefined }])) } };
  const md2 = renderPolicy(same, { lang: 'ja', format: 'md' });
  const rights2 = md2.slice(md2.indexOf('保有個人データの開示等の請求\n'));
  assert.match(rights2, /### 各請求に共通の手続\n\n- \*\*受付方法\*\*/);
  assert.equal(rights2.match(/\*\*ご本人確認\*\*/g)?.length, 1);
  assert.match(rights2, /代理人による請求は受け付けておりません/);
});

test('data received from a third party shows the 30条 confirmation: provider, address, representative and how it was acquired', () => {
  const md = renderPolicy(policy, { lang: 'ja', format: 'md' });
  assert.match(md, /提供元の名称・住所・代表者の氏名及び提供元がその個人データを取得した経緯を確認し/);
  assert.match(md, /\| 氏名 \| 株式会社テスト人材 \| 大阪府大阪市北区一丁目1番1号 \| 代表取締役 佐藤花子 \| ご本人からの登録 \|/);
  assert.match(md, /第三者からの提供（提供元: 人材紹介会社）/);
});

test('a contact value that is not a web or mail address never becomes a link', () => {
  const hostile: Policy = { ...policy, operator: { ...policy.operator, contacts: policy.operator.contacts.map((c) => (c.id === 'form' ? { ...c, value: 'javascript:alert(1)' } : c)) } };
  const page = renderPolicy(hostile, { lang: 'ja', format: 'html' });
  assert.ok(!page.includes('href="javascript:'));
  assert.match(page, /お問い合わせフォーム: javascript:alert\(1\)/);
  assert.ok(!renderPolicy(hostile, { lang: 'ja', format: 'md' }).includes('](javascript:'));
});
