// Signature verification vs Plivo's own Node SDK (`plivo`, a devDependency for this bench only) on the same requests.
import { signedCallback, AUTH_TOKEN } from '../fixtures';
import { cpuMs, interleave, summarize, type RowResult } from '../harness';
import { verifySignature } from '../subjects';

// The SDK ships no types for this helper.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdk = require('plivo') as {
  validateV3Signature(
    method: string,
    uri: string,
    nonce: string,
    authToken: string,
    signature: string,
    params: Record<string, string>,
  ): boolean;
};

const REQUESTS = 100;
const ROUNDS = 40;
const PAIRS = 7;

export async function signatureRow(): Promise<RowResult[]> {
  const requests = Array.from({ length: REQUESTS }, (_, i) => {
    const request = signedCallback(`https://example.ngrok.app/plivo/recording?n=${i}`);
    // As node:http delivers them to the listener.
    const received = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
    return { ...request, received };
  });
  const run = (verify: (request: (typeof requests)[number]) => boolean) => async (): Promise<number> =>
    (
      await cpuMs(async () => {
        for (let round = 0; round < ROUNDS; round++) {
          for (const request of requests) if (!verify(request)) throw new Error('a valid signature was rejected');
        }
      })
    ).cpu;
  const ratios = await interleave(
    PAIRS,
    run((r) => sdk.validateV3Signature('POST', r.url, r.nonce, AUTH_TOKEN, r.signature, r.params)),
    run((r) => verifySignature(r.url, r.params, r.received, AUTH_TOKEN)),
    (a, b) => b / a,
  );
  return [
    summarize(
      'signature',
      'verify CPU ratio vs plivo SDK validateV3Signature',
      'x',
      ratios,
      { op: '<=', value: 1.2 },
      `${REQUESTS} signed POST callbacks x ${ROUNDS}; ours reads the received headers, the SDK gets nonce and signature`,
    ),
  ];
}
