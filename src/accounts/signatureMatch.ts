import type { SignatureCheck } from '../plivo/signature';
import { maskAuthId } from './labels';
import type { AccountToken } from './store';

/** A signature check that also names the account whose token made the signature, when one did. */
export type AccountSignatureCheck = SignatureCheck & { account?: Omit<AccountToken, 'token'> };

/** `check` naming `owner` as the account whose Auth Token made the signature; the token itself stays out. */
export function withSigner(check: SignatureCheck, owner: AccountToken): AccountSignatureCheck {
  return {
    ...check,
    account: { accountId: owner.accountId, label: owner.label, authId: owner.authId },
    detail: `${check.detail}; made with the Auth Token of ${owner.label} (${maskAuthId(owner.authId)})`,
  };
}
