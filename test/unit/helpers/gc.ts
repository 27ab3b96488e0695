// A handle on the garbage collector without `node --expose-gc` on the command line.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export function exposeGc(): () => void {
  const global = globalThis as { gc?: () => void };
  if (global.gc) return global.gc;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}
