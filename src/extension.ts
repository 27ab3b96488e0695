import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { Accounts } from './services/accounts';
import { CallbackHistory } from './services/callbackHistory';
import { CallbackUrlService } from './services/callbackUrls';
import { CallsModel } from './services/callsModel';
import { PlivoConnection } from './services/connection';
import type { Services } from './services/container';
import { ListenerService } from './services/listenerService';
import { RecordingFiles } from './services/recordingFiles';
import { RecordingsList } from './services/recordingsList';
import { RecordingsStore } from './services/recordingsStore';
import { SandboxService } from './services/sandboxService';
import { TranscriptStore } from './services/transcripts';
import { registerViews, type Views } from './views';

/** What integration tests drive; a released extension exposes nothing (the token is in there). */
export interface TestApi {
  readonly services: Services;
  readonly views: Views;
}

/** What must finish before the extension host exits: callbacks received moments ago may still wait to be saved. */
let finishSaving: (() => Promise<void>) | undefined;

/** Creates the services, then registers the views and the commands. Nothing here touches the network. */
export function activate(context: vscode.ExtensionContext): TestApi | undefined {
  const log = vscode.window.createOutputChannel('Plivo', { log: true });
  const packageJson = context.extension.packageJSON as { name: string; version: string };
  const sandbox = new SandboxService(log);
  const accounts = new Accounts(context.secrets, sandbox);
  const connection = new PlivoConnection(
    accounts,
    context.globalState,
    log,
    `${packageJson.name}/${packageJson.version}`,
  );
  const recordings = new RecordingsStore(context.workspaceState, sandbox);
  const calls = new CallsModel(connection, log);
  const callbacks = new CallbackHistory(context.globalStorageUri.fsPath, log);
  finishSaving = () => callbacks.flush();
  // The sandbox sends its callbacks from inside this extension host, so the local URL reaches the listener.
  const sandboxSelected = async (): Promise<boolean> =>
    (await accounts.active().catch(() => undefined))?.kind === 'sandbox';
  const listener = new ListenerService(callbacks, connection, recordings, log, context.workspaceState);
  const urls = new CallbackUrlService(listener, sandboxSelected, connection.onDidChange, context.workspaceState);
  const recordingsList = new RecordingsList(connection, recordings, calls, listener, context.workspaceState);
  const recordingFiles = new RecordingFiles(context.globalStorageUri, connection);
  const transcripts = new TranscriptStore(listener, context.workspaceState);
  context.subscriptions.push(log, sandbox, accounts, connection, recordings, calls, callbacks, listener, urls);
  context.subscriptions.push(recordingsList, recordingFiles, transcripts);

  const services: Services = {
    context,
    log,
    accounts,
    connection,
    sandbox,
    recordings,
    calls,
    callbacks,
    listener,
    urls,
    recordingsList,
    recordingFiles,
    transcripts,
  };
  const views = registerViews(services);
  context.subscriptions.push(views, registerCommands(services, views));
  // After the views, so that they show the listener coming back (plivo.listener.autoStart).
  void listener.restore();

  return context.extensionMode === vscode.ExtensionMode.Production ? undefined : { services, views };
}

export function deactivate(): Promise<void> | undefined {
  return finishSaving?.();
}
