import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadPolicyFile, type LoadedPolicy } from '../../src/policy/load-policy.ts';
import { lintPolicy } from '../../src/policy/lint.ts';
import { renderPolicy } from '../../src/policy/render.ts';

// Two real policies of other operators, modelled as a new user would (facts only, our own wording; see each file's
// header). Each test names a statement mamori could not express before issue 13 and can now.

function load(name: string): LoadedPolicy {
  const r = loadPolicyFile(fileURLToPath(new URL(`../fixtures/real-policies/${name}`, import.meta.url)));
  if (!r.ok) throw new Error(r.issues.map((i) => `${i.line}:${i.col} ${i.message}`).join('\n'));
  return r.loaded;
}

describe('real policy: an online shop using EMV 3-D Secure', () => {
  const loaded = load('three-d-secure-shop.yaml');
  const ja = renderPolicy(loaded.policy, { lang: 'ja', format: 'md' });

  test('lints with no finding at all', () => {
    assert.deepEqual(lintPolicy(loaded).map((i) => `${i.rule}: ${i.message}`), []);
  });

  test('states that the card issuer\'s country cannot be identified, why, and what to look at instead (規則17条3項)', () => {
    assert.match(ja, /### お客様がお使いのクレジットカードの発行会社（特定できません）/);
    assert.match(ja, /同意をいただく時点では、提供先の所在国を特定できません。理由：当ストアはカード情報を受け取らない仕組みのため/);
    assert.match(ja, /\*\*所在国に代わる参考情報\*\*: 各国の個人情報の保護に関する制度は、個人情報保護委員会のウェブサイトで確認できます/);
    assert.doesNotMatch(ja, /提供先の所在国\*\*: XX/);
  });

  test('device information sent with name and email is personal data, not 個人関連情報 (no 31条 finding)', () => {
    assert.equal(lintPolicy(loaded).some((i) => i.rule === 'appi-31-person-related'), false);
  });
});

describe('real policy: a Mastodon server run by a hobby circle', () => {
  const loaded = load('mastodon-circle.yaml');
  const ja = renderPolicy(loaded.policy, { lang: 'ja', format: 'md' });
  const en = renderPolicy(loaded.policy, { lang: 'en', format: 'md' });

  test('lints with no finding at all', () => {
    assert.deepEqual(lintPolicy(loaded).map((i) => `${i.rule}: ${i.message}`), []);
  });

  test('describes federation: what goes where, on whose direction, and that servers abroad cannot be named beforehand', () => {
    assert.match(ja, /ActivityPubにより、ほかのサーバーと連合しています/);
    assert.match(ja, /\*\*配信する情報\*\*: アカウント名、表示名、プロフィール、投稿（画像を含む）/);
    assert.match(ja, /ご本人の指示に従って行うものです/);
    assert.match(ja, /所在国をあらかじめ特定することはできません/);
    assert.match(en, /Delivery to other servers \(federation\)/);
  });

  test('states the retention periods once and nothing about supervision it did not declare', () => {
    assert.equal(ja.split('サーバーのアクセス記録は90日以内').length - 1, 1);
    assert.match(ja, /\| 画像などのメディアファイルの保存と配信 \| Amazon Web Services \| .* \| アメリカ合衆国 \| — \|/);
  });
});
