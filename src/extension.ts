import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { CallbackHistory } from './services/callbackHistory';
import { CallsModel } from './services/callsModel';
import { PlivoConnection } from './services/connection';
import type { Services } from './services/container';
import { CredentialStore } from './services/credentials';
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

/** Creates the services, then registers the views and the commands. Nothing here touches the network. */
export function activate(context: vscode.ExtensionContext): TestApi | undefined {
  const log = vscode.window.createOutputChannel('Plivo', { log: true });
  const packageJson = context.extension.packageJSON as { name: string; version: string };
  const credentials = new CredentialStore(context.secrets);
  const sandbox = new SandboxService(log);
  const connection = new PlivoConnection(credentials, sandbox, log, `${packageJson.name}/${packageJson.version}`);
  const recordings = new RecordingsStore(context.workspaceState);
  const calls = new CallsModel(connection);
  const callbacks = new CallbackHistory(context.globalStorageUri.fsPath, log);
  const listener = new ListenerService(callbacks, connection, recordings, log, () => sandbox.active !== undefined);
  const recordingsList = new RecordingsList(connection, recordings, calls, listener, context.workspaceState);
  const recordingFiles = new RecordingFiles(context.globalStorageUri, connection);
  const transcripts = new TranscriptStore(listener, context.workspaceState);
  context.subscriptions.push(log, credentials, sandbox, connection, recordings, calls, callbacks, listener);
  context.subscriptions.push(recordingsList, recordingFiles, transcripts);

  const services: Services = {
    context,
    log,
    credentials,
    connection,
    sandbox,
    recordings,
    calls,
    callbacks,
    listener,
    recordingsList,
    recordingFiles,
    transcripts,
  };
  const views = registerViews(services);
  context.subscriptions.push(views, registerCommands(services, views));

  return context.extensionMode === vscode.ExtensionMode.Production ? undefined : { services, views };
}

export function deactivate(): void {}
