import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callDuration, callNumbers, formatPhoneNumber, liveCallCount } from '../../src/plivo/format';

const START = Date.parse('2026-01-15T14:30:00Z');

test('callDuration counts from session_start, which Plivo sends in UTC without a zone', () => {
  const call = { sessionStart: '2026-01-15 14:30:00' };
  assert.equal(callDuration(call, START + 5_000), '0:05');
  assert.equal(callDuration({ sessionStart: '2026-01-15 14:30:00.500000' }, START + 5_400), '0:04', 'microseconds');
  assert.equal(callDuration(call, START + 754_000), '12:34');
  assert.equal(callDuration(call, START + 3_723_000), '1:02:03');
});

test('callDuration is never negative, and absent without a usable start', () => {
  assert.equal(callDuration({ sessionStart: '2026-01-15 14:30:00' }, START - 60_000), '0:00');
  assert.equal(callDuration({ sessionStart: undefined }, START), undefined);
  assert.equal(callDuration({ sessionStart: 'yesterday' }, START), undefined);
});

test('formatPhoneNumber shows North American numbers as +1 212 555 0143, with or without the plus', () => {
  assert.equal(formatPhoneNumber('12125550143'), '+1 212 555 0143');
  assert.equal(formatPhoneNumber('+14155550100'), '+1 415 555 0100');
  assert.equal(formatPhoneNumber(' 14155550100 '), '+1 415 555 0100');
});

test('formatPhoneNumber groups other E.164 numbers after their country code', () => {
  assert.equal(formatPhoneNumber('442079460958'), '+44 207 946 0958');
  assert.equal(formatPhoneNumber('+919876543210'), '+91 987 654 3210');
  assert.equal(formatPhoneNumber('33123456789'), '+33 12 345 6789');
  assert.equal(formatPhoneNumber('8613812345678'), '+86 1381 234 5678');
  assert.equal(formatPhoneNumber('35312345678'), '+353 1234 5678', 'three-digit country code');
  assert.equal(formatPhoneNumber('79161234567'), '+7 916 123 4567');
});

test('formatPhoneNumber leaves anything that is not a plausible E.164 number as it came', () => {
  for (const raw of [
    'sip:alice@example.com',
    '12345',
    '1234567890123456',
    '0201234567',
    '11234567890',
    'Alice',
    '+1 (212) 555-0143',
  ]) {
    assert.equal(formatPhoneNumber(raw), raw);
  }
  assert.equal(formatPhoneNumber(''), 'unknown');
  assert.equal(formatPhoneNumber(undefined), 'unknown');
});

test('callNumbers names a call by its numbers', () => {
  assert.equal(callNumbers({ from: '14155550100', to: '12125550143' }), '+1 415 555 0100 → +1 212 555 0143');
  assert.equal(callNumbers({ from: 'sip:bob@example.com' }), 'sip:bob@example.com → unknown');
  assert.equal(callNumbers({ from: '[x](https://a.example)\n', to: '' }), '(x)(https://a.example) → unknown');
});

test('liveCallCount says how much of the list is shown', () => {
  assert.equal(liveCallCount(200, 5000, false), '200 of 5,000 live calls');
  assert.equal(liveCallCount(200, 200, false), '200 of 200+ live calls', 'more exist, not counted yet');
  assert.equal(liveCallCount(3, 3, true), '3 live calls');
  assert.equal(liveCallCount(1, 1, true), '1 live call');
  assert.equal(liveCallCount(0, 0, true), '0 live calls');
  assert.equal(liveCallCount(1200, 1200, true), '1,200 live calls');
});
