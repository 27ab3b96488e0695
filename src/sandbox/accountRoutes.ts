// Plivo's Account resource (/v1/Account/{auth_id}/) and Subaccount API below it: read-only.
import { randomUUID } from 'node:crypto';
import { ApiError, integerParam, jsonReply, listMeta, type Reply } from './httpIo';
import type { SandboxAccount } from './types';

const MAX_LIST_LIMIT = 20;

/** What the routes need: the accounts whose parent is `authId`. */
export interface AccountDirectory {
  subaccounts(authId: string): SandboxAccount[];
  /** `YYYY-MM-DD`, reported as every sandbox account's creation date. */
  readonly created: string;
}

export function getAccount(account: SandboxAccount): Reply {
  return jsonReply(200, {
    api_id: randomUUID(),
    account_type: 'standard',
    address: '',
    auth_id: account.authId,
    auto_recharge: false,
    billing_mode: 'prepaid',
    cash_credits: '10.00000',
    city: '',
    name: account.name ?? '',
    resource_uri: `/v1/Account/${account.authId}/`,
    state: '',
    timezone: 'UTC',
  });
}

export function listSubaccounts(
  account: SandboxAccount,
  params: Record<string, unknown>,
  dir: AccountDirectory,
): Reply {
  const limit = integerParam(params, 'limit', 1, MAX_LIST_LIMIT) ?? MAX_LIST_LIMIT;
  const offset = integerParam(params, 'offset', 0, Number.MAX_SAFE_INTEGER) ?? 0;
  const all = mainAccountsSubaccounts(account, dir);
  return jsonReply(200, {
    api_id: randomUUID(),
    meta: listMeta(`/v1/Account/${account.authId}/Subaccount/`, new URLSearchParams(), {
      limit,
      offset,
      total: all.length,
    }),
    objects: all.slice(offset, offset + limit).map((s) => subaccountObject(s, dir.created)),
  });
}

export function getSubaccount(account: SandboxAccount, authId: string, dir: AccountDirectory): Reply {
  const subaccount = mainAccountsSubaccounts(account, dir).find((s) => s.authId === authId);
  if (!subaccount) throw new ApiError(404, 'not found');
  return jsonReply(200, { api_id: randomUUID(), ...subaccountObject(subaccount, dir.created) });
}

function mainAccountsSubaccounts(account: SandboxAccount, dir: AccountDirectory): SandboxAccount[] {
  if (account.parentAuthId !== undefined) throw new ApiError(403, 'a subaccount cannot manage subaccounts');
  return dir.subaccounts(account.authId);
}

/** As Plivo shows a subaccount to its main account: the Auth Token included. */
function subaccountObject(s: SandboxAccount, created: string): Record<string, unknown> {
  return {
    account: `/v1/Account/${s.parentAuthId}/`,
    auth_id: s.authId,
    auth_token: s.authToken,
    created,
    enabled: true,
    modified: null,
    name: s.name ?? '',
    resource_uri: `/v1/Account/${s.parentAuthId}/Subaccount/${s.authId}/`,
  };
}
