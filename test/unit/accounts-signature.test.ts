import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withSigner, type AccountToken } from '../../src/accounts';
import type { SignatureCheck } from '../../src/plivo/signature';

const OWNER: AccountToken = { accountId: 'a2', label: 'Customer A', authId: 'SAXXXXXXXXXXXXXX0002', token: 'SubToken' };

test('withSigner names the account whose token made the signature, without its token', () => {
  const check: SignatureCheck = { state: 'valid', version: 'v3', detail: 'V3 signature matches the Auth Token' };
  const named = withSigner(check, OWNER);
  assert.deepEqual(named, {
    state: 'valid',
    version: 'v3',
    account: { accountId: 'a2', label: 'Customer A', authId: 'SAXXXXXXXXXXXXXX0002' },
    detail: 'V3 signature matches the Auth Token; made with the Auth Token of Customer A (SA…0002)',
  });
  assert.ok(!JSON.stringify(named).includes('SubToken'));
});
