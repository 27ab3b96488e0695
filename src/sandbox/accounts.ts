import { timingSafeEqual } from 'node:crypto';
import type { SandboxAccount } from './types';

/** Shaped like a real main-account Auth ID (20 chars, `MA` prefix) so client-side format checks pass. */
export const SANDBOX_AUTH_ID = 'MASANDBOX00000000001';
export const SANDBOX_AUTH_TOKEN = 'SandboxDemoToken000000000000000000000000';

export const DEMO_ACCOUNT: SandboxAccount = {
  authId: SANDBOX_AUTH_ID,
  authToken: SANDBOX_AUTH_TOKEN,
  name: 'Sandbox demo account',
};

/** Subaccounts of the demo account, each with its own token, calls and recordings. */
export const SANDBOX_SUBACCOUNTS: readonly SandboxAccount[] = [
  {
    authId: 'SASANDBOX00000000001',
    authToken: 'SandboxCustomerAToken0000000000000000000',
    name: 'Customer A',
    parentAuthId: SANDBOX_AUTH_ID,
  },
  {
    authId: 'SASANDBOX00000000002',
    authToken: 'SandboxCustomerBToken0000000000000000000',
    name: 'Customer B',
    parentAuthId: SANDBOX_AUTH_ID,
  },
];

/** Returns the account whose HTTP Basic credentials are in `authorization`, or undefined. */
export function authenticate(
  authorization: string | undefined,
  accounts: readonly SandboxAccount[],
): SandboxAccount | undefined {
  const match = /^Basic\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const authId = decoded.slice(0, colon);
  const token = decoded.slice(colon + 1);
  const account = accounts.find((a) => a.authId === authId);
  return account && sameSecret(token, account.authToken) ? account : undefined;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
