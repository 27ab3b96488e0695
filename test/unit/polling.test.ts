import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_POLL_BACKOFF_MS, pollDelayMs } from '../../src/plivo';

describe('pollDelayMs: background refreshes back off while they fail (src/plivo/polling.ts)', () => {
  it('waits the interval while refreshes succeed', () => {
    assert.equal(pollDelayMs(10_000, 0), 10_000);
  });

  it('doubles the wait for each failure in a row', () => {
    assert.deepEqual(
      [1, 2, 3, 4].map((failures) => pollDelayMs(10_000, failures)),
      [20_000, 40_000, 80_000, 160_000],
    );
  });

  it('never waits longer than five minutes, however long the failures go on', () => {
    assert.equal(MAX_POLL_BACKOFF_MS, 300_000);
    assert.equal(pollDelayMs(10_000, 6), MAX_POLL_BACKOFF_MS);
    assert.equal(pollDelayMs(10_000, 10_000), MAX_POLL_BACKOFF_MS);
  });

  it('never polls faster than the interval the user chose, even one longer than the cap', () => {
    assert.equal(pollDelayMs(600_000, 3), 600_000);
  });
});
