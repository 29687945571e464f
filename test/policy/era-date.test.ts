import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDualDate, formatEraDate, formatWesternDate } from '../../src/policy/era-date.ts';

test('the first day of Reiwa is 令和元年 and the day before is 平成31年', () => {
  assert.equal(formatEraDate('2019-05-01'), '令和元年5月1日');
  assert.equal(formatEraDate('2019-04-30'), '平成31年4月30日');
});

test('Heisei starts on 1989-01-08 with 元年; the day before is 昭和64年', () => {
  assert.equal(formatEraDate('1989-01-08'), '平成元年1月8日');
  assert.equal(formatEraDate('1989-01-07'), '昭和64年1月7日');
  assert.equal(formatEraDate('1926-12-25'), '昭和元年12月25日');
});

test('later Reiwa years count from 2019', () => {
  assert.equal(formatEraDate('2022-04-01'), '令和4年4月1日');
  assert.equal(formatEraDate('2026-11-23'), '令和8年11月23日');
});

test('Western and dual forms in both languages', () => {
  assert.equal(formatWesternDate('2024-10-01', 'ja'), '2024年10月1日');
  assert.equal(formatWesternDate('2024-10-01', 'en'), 'October 1, 2024');
  assert.equal(formatDualDate('2019-05-01', 'ja'), '2019年5月1日（令和元年5月1日）');
  assert.equal(formatDualDate('2019-04-30', 'en'), 'April 30, 2019 (Heisei 31)');
});

test('refuses a date that does not exist', () => {
  assert.throws(() => formatEraDate('2023-02-29'), RangeError);
  assert.throws(() => formatEraDate('2024/01/01'), RangeError);
});
