// Callbacks tree update after one new callback with a full history of 5,000: absolute milliseconds, the one row
// that is not a ratio. Measures the editor-free part of the update (see callbacksTreeModel in subjects.ts), and the
// same under a filter by call, as when watching one call (filteredPage).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { receivedCallbackFactory } from '../fixtures';
import { summarize, type RowResult } from '../harness';
import {
  callbacksTreeModel,
  filteredPage,
  FILTERED_PAGE_MEASURES,
  openHistory,
  TREE_UPDATE_MEASURES,
} from '../subjects';

const HISTORY = 5000;
const REPETITIONS = 11;

export async function treeRow(): Promise<RowResult[]> {
  const dir = await mkdtemp(join(tmpdir(), 'plivo-bench-tree-'));
  try {
    const sample = await receivedCallbackFactory();
    const store = await openHistory(dir, HISTORY);
    await Promise.all(Array.from({ length: HISTORY }, (_, i) => store.add(sample(i))));
    await store.flush();
    const tree = callbacksTreeModel(store);
    const times: number[] = [];
    for (let i = 0; i <= REPETITIONS; i++) {
      const callback = sample(HISTORY + i);
      const started = performance.now();
      const rows = tree.update(callback);
      const ms = performance.now() - started;
      if (rows !== 1 || tree.rows !== HISTORY) {
        throw new Error(`the update built ${rows} rows, the tree holds ${tree.rows}`);
      }
      if (i > 0) times.push(ms); // the first warms up
      // Saving is not part of the tree update; let it finish before the next one.
      await store.flush();
    }
    // Watching one call: the filter is the new callback's call UUID prefix, as `call:<prefix>` in the view.
    const page = filteredPage(store);
    page({});
    const filteredTimes: number[] = [];
    for (let i = 0; i <= REPETITIONS; i++) {
      const callback = sample(HISTORY + REPETITIONS + 1 + i);
      const started = performance.now();
      void store.add(callback);
      const shown = page({ callUuid: callback.params.call_uuid.slice(0, 13) });
      const ms = performance.now() - started;
      if (!shown.some((entry) => entry.id === callback.id)) throw new Error('the filtered page lacks the new callback');
      if (i > 0) filteredTimes.push(ms);
      await store.flush();
    }
    await store.dispose();
    return [
      summarize(
        'Callbacks tree',
        `update after 1 new callback, ${HISTORY} in history`,
        'ms',
        times,
        { op: '<=', value: 5 },
        TREE_UPDATE_MEASURES,
      ),
      summarize(
        'Callbacks tree',
        `update after 1 new callback, ${HISTORY} in history, filtered by call`,
        'ms',
        filteredTimes,
        { op: '<=', value: 5 },
        FILTERED_PAGE_MEASURES,
      ),
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
