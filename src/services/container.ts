import type * as vscode from 'vscode';
import type { CallsModel } from '../views/callsModel';
import type { CallsTreeNode, CallsTreeProvider } from '../views/callsTree';
import type { PlivoConnection } from './connection';
import type { CredentialStore } from './credentials';
import type { ListenerService } from './listenerService';
import type { RecordingsStore } from './recordingsStore';
import type { SandboxService } from './sandboxService';

/** Everything the commands work with, built once in `activate`. */
export interface Services {
  readonly context: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  readonly credentials: CredentialStore;
  readonly connection: PlivoConnection;
  readonly sandbox: SandboxService;
  readonly recordings: RecordingsStore;
  readonly calls: CallsModel;
  readonly callsTree: CallsTreeProvider;
  readonly callsView: vscode.TreeView<CallsTreeNode>;
  readonly listener: ListenerService;
}
