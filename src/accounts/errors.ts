const KEYCHAIN_HELP = 'https://code.visualstudio.com/docs/configure/settings-sync#_troubleshooting-keychain-issues';

export type AccountStoreErrorCode =
  /** The OS keychain behind the secret store threw; nothing was written anywhere else. */
  | 'keychain'
  /** The stored account list is not JSON this version understands; it is left as it is. */
  | 'unreadable'
  /** No account has this id (removed meanwhile, or a virtual account that is not there now). */
  | 'unknown-account'
  /** The operation does not apply to this account (e.g. removing the Environment account). */
  | 'not-allowed';

export class AccountStoreError extends Error {
  readonly code: AccountStoreErrorCode;
  /** Where to read about fixing the keychain, for `keychain` errors. */
  readonly helpUrl?: string;

  constructor(code: AccountStoreErrorCode, message: string) {
    super(message);
    this.name = 'AccountStoreError';
    this.code = code;
    if (code === 'keychain') this.helpUrl = KEYCHAIN_HELP;
  }
}
