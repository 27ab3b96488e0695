import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { PlivoConnection } from './services/connection';
import type { Services } from './services/container';
import { CredentialStore } from './services/credentials';
import { ListenerService } from './services/listenerService';
import { RecordingsStore } from './services/recordingsStore';
import { SandboxService } from './services/sandboxService';
import { registerCallbacksView } from './views/callbacksView';
import { CallsModel } from './views/callsModel';
import { CallsTreeProvider } from './views/callsTree';

/** Wires the layers together. Nothing here touches the network: calls load once the view is visible. */
export function activate(context: vscode.ExtensionContext): Services | undefined {
  const log = vscode.window.createOutputChannel('Plivo', { log: true });
  const packageJson = context.extension.packageJSON as { name: string; version: string };
  const credentials = new CredentialStore(context.secrets);
  const sandbox = new SandboxService(log);
  const connection = new PlivoConnection(credentials, sandbox, log, `${packageJson.name}/${packageJson.version}`);
  const recordings = new RecordingsStore(context.workspaceState);
  const calls = new CallsModel(connection);
  const callsTree = new CallsTreeProvider(calls, recordings);
  const callsView = vscode.window.createTreeView('plivo.calls', { treeDataProvider: callsTree, showCollapseAll: true });
  const listener = new ListenerService(
    context.globalStorageUri.fsPath,
    connection,
    recordings,
    log,
    () => sandbox.active !== undefined,
  );
  context.subscriptions.push(log, credentials, sandbox, connection, recordings, calls, callsTree, callsView, listener);

  const services: Services = {
    context,
    log,
    credentials,
    connection,
    sandbox,
    recordings,
    calls,
    callsTree,
    callsView,
    listener,
  };
  registerCommands(services);
  registerCallbacksView(services);

  const updateAccount = async (): Promise<void> => {
    const active = await connection.current().catch(() => undefined);
    callsView.description = active?.label;
    await Promise.all([
      vscode.commands.executeCommand('setContext', 'plivo.hasCredentials', active !== undefined),
      vscode.commands.executeCommand(
        'setContext',
        'plivo.hasStoredCredentials',
        await credentials.hasStored().catch(() => false),
      ),
      vscode.commands.executeCommand('setContext', 'plivo.sandboxActive', sandbox.active !== undefined),
    ]);
  };
  const updateStatus = (): void => {
    const status = calls.status;
    callsView.message =
      status.kind === 'error'
        ? `⚠ ${status.error instanceof Error ? status.error.message : String(status.error)}`
        : undefined;
    void vscode.commands.executeCommand('setContext', 'plivo.callsLoaded', status.kind === 'loaded');
  };
  context.subscriptions.push(
    connection.onDidChange(() => void updateAccount()),
    calls.onDidChange(updateStatus),
    callsView.onDidChangeVisibility((e) => calls.setVisible(e.visible)),
  );
  void updateAccount();
  calls.setVisible(callsView.visible);

  // Integration tests drive the services directly; a released extension exposes nothing (the token is in there).
  return context.extensionMode === vscode.ExtensionMode.Production ? undefined : services;
}

export function deactivate(): void {}
