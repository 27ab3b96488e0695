import { verifyPlivoSignature, type SignatureCheck, type SignatureInput } from '../plivo/signature';
import { maskAuthId } from './labels';
import type { AccountToken } from './store';

/** A signature check that also names the account whose token made the signature, when one did. */
export type AccountSignatureCheck = SignatureCheck & { account?: Omit<AccountToken, 'token'> };

/**
 * Checks a callback against the tokens of every account (see `AccountStore.allTokens`) and says which one
 * matched. `urls` are the URLs Plivo may have called, most likely first, as the callback listener tries them.
 */
export function matchSignature(
  request: Omit<SignatureInput, 'authTokens' | 'url'>,
  urls: readonly string[],
  tokens: readonly AccountToken[],
): AccountSignatureCheck {
  const authTokens = tokens.map((t) => t.token);
  const checks = urls.map((url) => ({ url, check: verifyPlivoSignature({ ...request, url, authTokens }) }));
  const valid = checks.find(({ check }) => check.state === 'valid');
  if (!valid) return checks[0]?.check ?? verifyPlivoSignature({ ...request, url: '', authTokens: [] });
  // Only the URL that matched is tried token by token, so the common single-account case costs one more check.
  const owner = tokens.find(
    (t) => verifyPlivoSignature({ ...request, url: valid.url, authTokens: [t.token] }).state === 'valid',
  );
  if (!owner) return valid.check;
  const account = { accountId: owner.accountId, label: owner.label, authId: owner.authId };
  return {
    ...valid.check,
    detail: `${valid.check.version?.toUpperCase()} signature matches the Auth Token of ${owner.label} (${maskAuthId(owner.authId)})`,
    account,
  };
}
