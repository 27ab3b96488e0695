import * as vscode from 'vscode';

/**
 * Where SecretStorage keeps the credentials on this host, for messages: on desktop (also with a remote workspace,
 * whose secrets stay on the desktop) the OS keychain; in a browser-hosted editor (code-server, vscode.dev) the
 * browser's storage, encrypted with a key the server holds half of.
 */
export function secretsLocation(): string {
  return vscode.env.uiKind === vscode.UIKind.Web ? "the browser's encrypted storage" : 'your OS keychain';
}
