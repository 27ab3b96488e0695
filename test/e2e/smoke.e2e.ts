import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useWorkbench } from './harness';

describe('smoke: the Plivo side bar', () => {
  const ui = useWorkbench();

  it('shows the Plivo activity-bar item', async () => {
    assert.equal(await ui().plivoActivityItem.isVisible(), true);
  });

  it('clicking it shows the Calls and Callbacks views', async () => {
    const wb = ui();
    await wb.plivoActivityItem.click();
    await wb.view('Calls').waitFor({ state: 'visible', timeout: 15_000 });
    await wb.view('Callbacks').waitFor({ state: 'visible', timeout: 15_000 });
    await wb.screenshot('e2e-smoke-plivo-sidebar');
  });
});
