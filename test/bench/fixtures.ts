// Realistic inputs: signed form callbacks as Plivo sends them, and the records the listener makes of them.
import { randomUUID } from 'node:crypto';
import { buildTestCallback, type ReceivedCallback } from '../../src/callbacks';
import { signCallbackHeaders } from '../../src/plivo/signature';
import { SANDBOX_AUTH_TOKEN } from '../../src/sandbox';
import { startHistoryListener } from './subjects';

export const AUTH_TOKEN = SANDBOX_AUTH_TOKEN;
export const CALLBACK_PATH = '/plivo/recording';

export interface SignedCallback {
  url: string;
  params: Record<string, string>;
  body: string;
  /** As sent (mixed case), ready for an HTTP client. */
  headers: Record<string, string>;
  nonce: string;
  signature: string;
}

/** A record-done callback signed for `url`, as Plivo posts it. */
export function signedCallback(url: string): SignedCallback {
  const params = buildTestCallback('record');
  const body = new URLSearchParams(params).toString();
  const signed = signCallbackHeaders('POST', url, params, AUTH_TOKEN);
  return {
    url,
    params,
    body,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': String(Buffer.byteLength(body)),
      'user-agent': 'PlivoHTTP/1.0',
      ...signed,
    },
    nonce: signed['X-Plivo-Signature-V3-Nonce'],
    signature: signed['X-Plivo-Signature-V3'],
  };
}

/**
 * One record exactly as the listener makes it from a signed callback (taken from a real listener, so the
 * stored fields follow whatever the listener stores), and copies of it with fresh ids and call UUIDs.
 */
export async function receivedCallbackFactory(): Promise<(i: number) => ReceivedCallback> {
  let captured: ReceivedCallback | undefined;
  const listener = await startHistoryListener(undefined, (callback) => (captured = callback));
  try {
    const request = signedCallback(`${listener.url}${CALLBACK_PATH}`);
    const response = await fetch(request.url, { method: 'POST', headers: request.headers, body: request.body });
    await response.arrayBuffer();
  } finally {
    await listener.stop();
  }
  const template = captured;
  if (!template || template.signature.state !== 'valid') {
    throw new Error('the listener did not record a valid callback');
  }
  const oldUuid = template.params.call_uuid;
  const text = JSON.stringify(template);
  return (i) => {
    const copy = JSON.parse(text.replaceAll(oldUuid, randomUUID())) as ReceivedCallback;
    copy.id = randomUUID();
    copy.receivedAt = new Date(Date.now() + i).toISOString();
    return copy;
  };
}

export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}
