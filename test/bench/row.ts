// One benchmark row, run in a child process of its own (see run.ts) so rows never share a heap or an event loop.
import { serveParent, type RowResult } from './harness';

/** In the order they run and print; loaded only in the row's own process. */
export const ROWS: Record<string, () => Promise<RowResult[]>> = {
  listener: async () => (await import('./rows/listener.js')).listenerRow(),
  host: async () => (await import('./rows/host.js')).hostRow(),
  historyWrites: async () => (await import('./rows/historyWrites.js')).historyWritesRow(),
  signature: async () => (await import('./rows/signature.js')).signatureRow(),
  calls: async () => (await import('./rows/calls.js')).callsRow(),
  bundle: async () => (await import('./rows/bundle.js')).bundleRow(),
  heap: async () => (await import('./rows/heap.js')).heapRow(),
  tree: async () => (await import('./rows/tree.js')).treeRow(),
};

if (require.main === module) serveParent((name: string) => ROWS[name]());
