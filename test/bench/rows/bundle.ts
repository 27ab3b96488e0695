// The extension's bundle vs a same-settings esbuild bundle of Plivo's Node SDK: size, and the time `require` takes
// in a fresh Node process (node's own start-up left out), fresh processes alternating between the two.
import { execFile } from 'node:child_process';
import { stat, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as esbuild from 'esbuild';
import { interleave, summarize, type RowResult } from '../harness';
import { CLIENT_LAYER_ENTRY, EXTENSION_ENTRY } from '../subjects';

const ROW = 'bundle';
const PAIRS = 7;

/** scripts/build.mjs with --production. */
const PRODUCTION: esbuild.BuildOptions = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: true,
  sourcemap: false,
  logLevel: 'error',
  external: ['vscode'],
};

/** Outside the editor `vscode` does not exist; the extension only touches it once activated, so an empty module does. */
const VSCODE_STUB = `const Module = require('node:module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === 'vscode' ? 'vscode' : resolve.call(this, request, ...rest);
};
require.cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: {} };
`;

async function requireMs(preload: string, bundle: string): Promise<number> {
  const script = `const t = process.hrtime.bigint(); require(${JSON.stringify(bundle)}); process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['-r', preload, '-e', script]);
  return Number(stdout);
}

export async function bundleRow(): Promise<RowResult[]> {
  const dir = await mkdtemp(join(tmpdir(), 'plivo-bench-bundle-'));
  try {
    const extension = join(dir, 'extension.js');
    const sdk = join(dir, 'plivo-sdk.js');
    await esbuild.build({ ...PRODUCTION, entryPoints: [EXTENSION_ENTRY], outfile: extension });
    await esbuild.build({ ...PRODUCTION, entryPoints: [require.resolve('plivo')], outfile: sdk });
    // What the SDK's job alone takes here: the REST client layer, without the editor, listener and sandbox.
    const clientLayer = join(dir, 'plivo-client.js');
    await esbuild.build({ ...PRODUCTION, entryPoints: [CLIENT_LAYER_ENTRY], outfile: clientLayer });
    const preload = join(dir, 'vscode-stub.js');
    await writeFile(preload, VSCODE_STUB);
    const [extensionBytes, sdkBytes, clientLayerBytes] = await Promise.all([
      stat(extension),
      stat(sdk),
      stat(clientLayer),
    ]).then((s) => s.map((f) => f.size));
    const ratios = await interleave(
      PAIRS,
      () => requireMs(preload, sdk),
      () => requireMs(preload, extension),
      (a, b) => b / a,
    );
    const kb = (bytes: number): string => `${Math.round(bytes / 1024)} KiB`;
    return [
      summarize(
        ROW,
        'size ratio vs esbuild bundle of plivo SDK',
        'x',
        [extensionBytes / sdkBytes],
        { op: '<=', value: 0.1 },
        `${kb(extensionBytes)} vs ${kb(sdkBytes)}, minified as npm run package builds; the REST client layer ` +
          `(src/plivo) alone is ${kb(clientLayerBytes)}, ${(clientLayerBytes / sdkBytes).toFixed(2)}×`,
      ),
      summarize(
        ROW,
        'require time ratio, fresh process',
        'x',
        ratios,
        { op: '<=', value: 0.25 },
        `${PAIRS} pairs of fresh node processes`,
      ),
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
