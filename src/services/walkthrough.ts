import * as vscode from 'vscode';

/**
 * The walkthrough's steps (package.json `contributes.walkthroughs`), each completed by the context key
 * `plivo.walkthrough.<step>` once the thing has really happened. VS Code remembers a completed step, so the key
 * only needs to be set in the session where it happens.
 */
export type WalkthroughStep =
  /** An account is active: the sandbox, a saved account, or Environment. */
  | 'accountReady'
  /** Record Call started a recording. */
  | 'recorded'
  /** The listener received a callback. */
  | 'callbackReceived'
  /** A recording was played in the editor. */
  | 'played'
  /** Stop Recording stopped a recording. */
  | 'stopped'
  /** A callback arrived through `plivo.listener.publicUrl` (a tunnel), i.e. from outside this machine. */
  | 'tunnelCallback';

/** Steps whose key this session has set: each setting is a message to the window, and callbacks come in bursts. */
const marked = new Set<WalkthroughStep>();

/** Sets the step's key, once a session. */
export function markWalkthroughStep(step: WalkthroughStep): void {
  if (marked.has(step)) return;
  marked.add(step);
  void vscode.commands.executeCommand('setContext', `plivo.walkthrough.${step}`, true);
}
