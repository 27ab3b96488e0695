import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callDuration } from '../../src/plivo/format';

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
