/** `MAXXXXXXXXXXXXXXXX12` → `MA…XX12`: enough to tell accounts apart without showing the whole ID. */
export function maskAuthId(authId: string): string {
  return authId.length <= 8 ? authId : `${authId.slice(0, 2)}…${authId.slice(-4)}`;
}

/** Plivo's subaccount Auth IDs start with `SA`, main accounts' with `MA` (see docs/plivo-api.md). */
export function isSubaccountAuthId(authId: string): boolean {
  return authId.startsWith('SA');
}

/** The label offered when an account is added: the user accepts it with Enter or types their own. */
export function defaultAccountLabel(authId: string): string {
  return `${isSubaccountAuthId(authId) ? 'Subaccount' : 'Main account'} ${maskAuthId(authId)}`;
}
