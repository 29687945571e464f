import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { categoryFromName, classifyValues, isCardNumber, isJpPersonName, isJpPhone, isMyNumber } from '../../src/connectors/scan/personal-data-detectors.ts';

describe('personal data detectors', () => {
  it('accepts a マイナンバー only when its check digit is right', () => {
    assert.equal(isMyNumber('123456789018'), true);
    assert.equal(isMyNumber('1234 5678 9018'), true);
    assert.equal(isMyNumber('123456789012'), false);
    assert.equal(isMyNumber('12345678901'), false);
  });
  it('accepts card numbers that pass Luhn', () => {
    assert.equal(isCardNumber('4111 1111 1111 1111'), true);
    assert.equal(isCardNumber('4111111111111112'), false);
  });
  it('recognises Japanese phone numbers and not other digit runs', () => {
    for (const v of ['03-1234-5678', '090-1234-5678', '+81 90 1234 5678', '0120-123-456']) assert.equal(isJpPhone(v), true, v);
    for (const v of ['12345', '0123', '090-1234-56789']) assert.equal(isJpPhone(v), false, v);
  });
  it('recognises names written in kanji or kana with a space', () => {
    assert.equal(isJpPersonName('山田 太郎'), true);
    assert.equal(isJpPersonName('ヤマダ　タロウ'), true);
    assert.equal(isJpPersonName('東京都渋谷区'), false);
  });
  it('classifies a column by most of its values', () => {
    assert.equal(classifyValues(['a@example.jp', 'b@example.jp', '']) ?.kind, 'email');
    assert.equal(classifyValues(['150-0001', '100-0005', '060-0000'])?.kind, 'jp_postal_code');
    assert.equal(classifyValues(['192.0.2.1', '2001:db8::1'])?.kind, 'ip_address');
    assert.equal(classifyValues(['1990-01-02', '1985-12-31'])?.kind, 'birthdate');
    assert.equal(classifyValues(['123456789018', '000000000019'])?.kind, 'my_number');
    assert.equal(classifyValues(['hello', 'world', 'foo']), undefined);
  });
  it('suggests categories from column names', () => {
    assert.equal(categoryFromName('emailAddress'), 'email');
    assert.equal(categoryFromName('tel'), 'phone');
    assert.equal(categoryFromName('zip_code'), 'postal_address');
    assert.equal(categoryFromName('birthday'), 'birthdate');
    assert.equal(categoryFromName('last_name_kana'), 'name');
    assert.equal(categoryFromName('usernameLower'), 'display_name');
    assert.equal(categoryFromName('created_at'), undefined);
  });
});
