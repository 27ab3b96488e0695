import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { matchSignature, type AccountToken } from '../../src/accounts';
import { signCallbackHeaders } from '../../src/plivo/signature';

const TOKENS: AccountToken[] = [
  { accountId: 'a1', label: 'Production', authId: 'MAXXXXXXXXXXXXXX0001', token: 'MainToken' },
  { accountId: 'a2', label: 'Customer A', authId: 'SAXXXXXXXXXXXXXX0002', token: 'SubToken' },
  { accountId: 'environment', label: 'Environment', authId: 'MAYYYYYYYYYYYYYY0003', token: 'EnvToken' },
];
const PUBLIC_URL = 'https://example.test/callbacks/record';
const LOCAL_URL = 'http://127.0.0.1:5000/callbacks/record';
const PARAMS = { CallUUID: '6a5e3d5c-2b3f-4e1a-9c7d-0123456789ab', RecordUrl: 'https://example.test/r.mp3' };

function lowerCase(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

function request(token: string, url = PUBLIC_URL) {
  return { method: 'POST', params: PARAMS, headers: lowerCase(signCallbackHeaders('POST', url, PARAMS, token)) };
}

describe('matchSignature', () => {
  test('names the account whose token signed the callback, without its token', () => {
    const check = matchSignature(request('SubToken'), [PUBLIC_URL, LOCAL_URL], TOKENS);
    assert.equal(check.state, 'valid');
    assert.equal(check.version, 'v3');
    assert.deepEqual(check.account, { accountId: 'a2', label: 'Customer A', authId: 'SAXXXXXXXXXXXXXX0002' });
    assert.equal(check.detail, 'V3 signature matches the Auth Token of Customer A (SA…0002)');
    assert.ok(!JSON.stringify(check).includes('SubToken'));
  });

  test('tries every URL the callback may have been sent to', () => {
    const check = matchSignature(request('EnvToken', LOCAL_URL), [PUBLIC_URL, LOCAL_URL], TOKENS);
    assert.equal(check.account?.accountId, 'environment');
  });

  test('a signature made with no saved token is invalid and names no account', () => {
    const check = matchSignature(request('SomeoneElse'), [PUBLIC_URL], TOKENS);
    assert.equal(check.state, 'invalid');
    assert.equal(check.account, undefined);
    assert.match(check.detail, /any of the 3 Auth Tokens/);
  });

  test('an unsigned callback stays unsigned', () => {
    const check = matchSignature({ method: 'POST', params: PARAMS, headers: {} }, [PUBLIC_URL], TOKENS);
    assert.equal(check.state, 'unsigned');
  });

  test('with no URL to try, the check still reports the headers it saw', () => {
    assert.equal(matchSignature(request('MainToken'), [], TOKENS).state, 'invalid');
  });
});
