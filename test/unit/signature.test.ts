import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  computeSignatureV2,
  computeSignatureV3,
  signCallbackHeaders,
  verifyPlivoSignature,
  type SignatureInput,
} from '../../src/plivo/signature';
import { lowerCaseHeaders } from './helpers/callbacks';

// Official vectors: plivo-go utils_test.go TestValidateSignatureV3Pass1..4, plivo-ruby spec/signature_spec.rb.
const SDK_TOKEN = 'Y2Q2ZDgxZmY5YWRiOTI5YmQ1Njg0MTAxZWIyOTc4';
const SDK_NONCE = '31627761595286130198';
const SDK_PARAMS = {
  Direction: 'outbound',
  From: '19792014278',
  ALegUUID: '3e82ae9d-2c78-4d85-b1a4-6eae7dbafb36',
  CallStatus: 'in-progress',
  BillRate: '0.002',
  ParentAuthID: 'MANWVLYTK4ZWU1YTY4QA',
  To: 'sip:PlivoSignature382029104058171078704104@phone-qa.voice.plivodev.com',
  ALegRequestUUID: '3e82ae9d-2c78-4d85-b1a4-6eae7dbafb36',
  CallUUID: '3e82ae9d-2c78-4d85-b1a4-6eae7dbafb36',
  RequestUUID: '3e82ae9d-2c78-4d85-b1a4-6eae7dbafb36',
  'SIP-H-To': '<sip:PlivoSignature382029104058171078704104@52.9.11.55;transport=udp>;tag=1',
  SessionStart: '2020-04-08 11:34:33.238707',
  Event: 'StartApp',
};
const SDK_BASE = 'https://plivobin.non-prod.plivops.com/api/v1/validate_signature03.xml';
const SDK_CASES = [
  { method: 'POST', uri: `${SDK_BASE}/?a=b&c=d`, signature: 'k7Pusd4OxCIjR5IfA9iedDNu/h/gbdYqdzG/MiYtd1c=' },
  { method: 'GET', uri: `${SDK_BASE}/?a=b&c=d`, signature: 'UBq8jAtd32wR8EK9VgxbBn4n5rpI/l1H9iN4WfSEHFQ=' },
  { method: 'POST', uri: SDK_BASE, signature: 'iAjE5QqI37mbkYe4w3jTMudqEzbDufdqi7sYwTu64e0=' },
  { method: 'GET', uri: SDK_BASE, signature: 'i/MQsaQSAd6fiKhOh2qeeeLHZ9faldADSb3/7+Akfbc=' },
];

for (const { method, uri, signature } of SDK_CASES) {
  test(`V3 SDK vector: ${method} ${uri}`, () => {
    assert.equal(computeSignatureV3(method, uri, SDK_PARAMS, SDK_NONCE, SDK_TOKEN), signature);
  });
}

test('V3 computed vector: POST with port and snake_case record params', () => {
  const params = {
    call_uuid: 'c-1',
    record_url: 'https://media.plivo.com/r.mp3',
    recording_id: 'r-1',
    recording_duration: '22',
  };
  const signature = computeSignatureV3(
    'POST',
    'https://example.com:8443/plivo/record-callback',
    params,
    '12345678901234567890',
    'my_auth_token',
  );
  assert.equal(signature, 'ryTu5gSS4/2dRZI4Tw8dwDYOPoX/nQA5ltbXhSlqqCU=');
});

test('V3 computed vector: POST without params or query signs the bare URL', () => {
  assert.equal(
    computeSignatureV3('POST', 'https://example.com/cb', {}, '1', 'my_auth_token'),
    '9CvMMH7lf44CN8pYMfhDi8l4RHaGIvmj67Rq4ZTuCjg=',
  );
});

test('V3 keeps a default port as typed instead of normalising it away', () => {
  const withPort = computeSignatureV3('POST', 'https://example.com:443/cb', { a: '1' }, '1', 't');
  const withoutPort = computeSignatureV3('POST', 'https://example.com/cb', { a: '1' }, '1', 't');
  assert.notEqual(withPort, withoutPort);
});

test('V3 lower-case method is treated as its upper-case form; other methods throw', () => {
  assert.equal(computeSignatureV3('get', SDK_BASE, SDK_PARAMS, SDK_NONCE, SDK_TOKEN), SDK_CASES[3].signature);
  assert.throws(() => computeSignatureV3('PUT', SDK_BASE, {}, '1', 't'), RangeError);
});

test('V2 SDK vectors: valid token matches, wrong token does not', () => {
  assert.equal(
    computeSignatureV2('https://answer.url', '12345', 'my_auth_token'),
    'ehV3IKhLysWBxC1sy8INm0qGoQYdYsHwuoKjsX7FsXc=',
  );
  assert.notEqual(
    computeSignatureV2('https://answer.url', '12345', 'my_auth_tokens'),
    'ehV3IKhLysWBxC1sy8INm0qGoQYdYsHwuoKjsX7FsXc=',
  );
});

test('V2 ignores the query string', () => {
  assert.equal(
    computeSignatureV2('https://answer.url?x=1', '12345', 'my_auth_token'),
    'ehV3IKhLysWBxC1sy8INm0qGoQYdYsHwuoKjsX7FsXc=',
  );
});

test('signCallbackHeaders: all five headers, 20-digit nonce by default, Ma-V3 equals V3', () => {
  const headers = signCallbackHeaders('POST', 'https://example.com/cb', { a: '1' }, 'tok');
  assert.deepEqual(Object.keys(headers).sort(), [
    'X-Plivo-Signature-Ma-V3',
    'X-Plivo-Signature-V2',
    'X-Plivo-Signature-V2-Nonce',
    'X-Plivo-Signature-V3',
    'X-Plivo-Signature-V3-Nonce',
  ]);
  assert.match(headers['X-Plivo-Signature-V3-Nonce'], /^\d{20}$/);
  assert.equal(headers['X-Plivo-Signature-V2-Nonce'], headers['X-Plivo-Signature-V3-Nonce']);
  assert.equal(headers['X-Plivo-Signature-Ma-V3'], headers['X-Plivo-Signature-V3']);
  const given = signCallbackHeaders('GET', SDK_BASE, SDK_PARAMS, SDK_TOKEN, SDK_NONCE);
  assert.equal(given['X-Plivo-Signature-V3'], SDK_CASES[3].signature);
});

function signedInput(method: 'GET' | 'POST', overrides: Partial<SignatureInput> = {}): SignatureInput {
  const uri = 'https://abc.ngrok.app/plivo/record?source=ext';
  const params = { call_uuid: 'c-1', record_url: 'https://media.plivo.com/r.mp3' };
  const headers = lowerCaseHeaders(signCallbackHeaders(method, uri, params, 'right-token'));
  // For GET the callback params travel in the query of the URL Plivo calls.
  const url = method === 'GET' ? `${uri}&${new URLSearchParams(params).toString()}` : uri;
  return { method, url, params, headers, authTokens: ['right-token'], ...overrides };
}

test('verify: signed POST and GET are valid V3', () => {
  for (const method of ['POST', 'GET'] as const) {
    const check = verifyPlivoSignature(signedInput(method));
    assert.equal(check.state, 'valid', `${method}: ${check.detail}`);
    assert.equal(check.version, 'v3');
  }
});

test('verify: GET URL without a query uses params instead', () => {
  const params = { call_uuid: 'c-1' };
  const headers = lowerCaseHeaders(signCallbackHeaders('GET', 'http://127.0.0.1:8787/cb', params, 't'));
  assert.equal(
    verifyPlivoSignature({ method: 'GET', url: 'http://127.0.0.1:8787/cb', params, headers, authTokens: ['t'] }).state,
    'valid',
  );
});

test('verify: tampered body param is invalid, with a detail that never shows the token', () => {
  const input = signedInput('POST');
  const check = verifyPlivoSignature({ ...input, params: { ...input.params, call_uuid: 'other' } });
  assert.equal(check.state, 'invalid');
  assert.match(check.detail, /signature does not match the Auth Token/);
  assert.doesNotMatch(check.detail, /right-token/);
});

test('verify: wrong token is invalid; any one of several tokens is enough', () => {
  assert.equal(verifyPlivoSignature(signedInput('POST', { authTokens: ['wrong'] })).state, 'invalid');
  const check = verifyPlivoSignature(signedInput('POST', { authTokens: ['wrong', 'right-token'] }));
  assert.equal(check.state, 'valid');
  const bothWrong = verifyPlivoSignature(signedInput('POST', { authTokens: ['wrong', 'also-wrong'] }));
  assert.match(bothWrong.detail, /any of the 2 Auth Tokens/);
});

test('verify: no tokens configured is invalid with an explanation', () => {
  const check = verifyPlivoSignature(signedInput('POST', { authTokens: [] }));
  assert.equal(check.state, 'invalid');
  assert.match(check.detail, /no Auth Token/);
});

test('verify: missing nonce header is invalid', () => {
  const input = signedInput('POST');
  const headers = { ...input.headers, 'x-plivo-signature-v3-nonce': undefined };
  const check = verifyPlivoSignature({ ...input, headers });
  assert.deepEqual([check.state, check.version], ['invalid', 'v3']);
  assert.match(check.detail, /nonce header missing/);
});

test('verify: no signature headers is unsigned', () => {
  const check = verifyPlivoSignature({ ...signedInput('POST'), headers: { 'content-type': 'text/plain' } });
  assert.equal(check.state, 'unsigned');
  assert.equal(check.version, undefined);
});

test('verify: comma-separated V3 list is valid if any element matches', () => {
  const input = signedInput('POST');
  const good = String(input.headers['x-plivo-signature-v3']);
  const headers = {
    ...input.headers,
    'x-plivo-signature-v3': `bm9wZQ==, ${good}`,
    'x-plivo-signature-ma-v3': undefined,
  };
  assert.equal(verifyPlivoSignature({ ...input, headers }).state, 'valid');
  const allBad = { ...headers, 'x-plivo-signature-v3': 'bm9wZQ==,c2hvcnQ=' };
  assert.equal(verifyPlivoSignature({ ...input, headers: allBad }).state, 'invalid');
});

test('verify: only Ma-V3 present is still checked as V3', () => {
  const input = signedInput('POST');
  const headers = { ...input.headers, 'x-plivo-signature-v3': undefined };
  assert.deepEqual(verifyPlivoSignature({ ...input, headers }).state, 'valid');
});

test('verify: V2 alone is valid-v2, weaker than valid: parameters are not covered', () => {
  const input = signedInput('POST');
  const v2Only = {
    'x-plivo-signature-v2': input.headers['x-plivo-signature-v2'],
    'x-plivo-signature-v2-nonce': input.headers['x-plivo-signature-v2-nonce'],
  };
  const check = verifyPlivoSignature({ ...input, headers: v2Only });
  assert.deepEqual([check.state, check.version], ['valid-v2', 'v2']);
  assert.match(check.detail, /^v2: parameters not covered/);
  const wrong = verifyPlivoSignature({ ...input, headers: v2Only, authTokens: ['wrong'] });
  assert.deepEqual([wrong.state, wrong.version], ['invalid', 'v2']);
});

test('verify: a different URL (e.g. local instead of public) is invalid', () => {
  const check = verifyPlivoSignature(signedInput('POST', { url: 'http://127.0.0.1:8787/plivo/record?source=ext' }));
  assert.equal(check.state, 'invalid');
  assert.match(check.detail, /127\.0\.0\.1:8787/);
});

test('verify: repeated header values (array) are treated as a list', () => {
  const input = signedInput('POST');
  const headers = {
    ...input.headers,
    'x-plivo-signature-v3': ['bm9wZQ==', String(input.headers['x-plivo-signature-v3'])],
  };
  assert.equal(verifyPlivoSignature({ ...input, headers }).state, 'valid');
});

test('verify: unsupported method is invalid, not a throw', () => {
  const check = verifyPlivoSignature(signedInput('POST', { method: 'PUT' }));
  assert.equal(check.state, 'invalid');
});
