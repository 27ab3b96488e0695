import type * as vscode from 'vscode';
import type { Accounts } from './accounts';
import type { CallbackHistory } from './callbackHistory';
import type { CallbackUrlService } from './callbackUrls';
import type { CallsModel } from './callsModel';
import type { PlivoConnection } from './connection';
import type { ListenerService } from './listenerService';
import type { RecordingFiles } from './recordingFiles';
import type { RecordingsList } from './recordingsList';
import type { RecordingsStore } from './recordingsStore';
import type { SandboxService } from './sandboxService';
import type { TranscriptStore } from './transcripts';

/** The editor-side state and pipelines, built once in `activate`; views and commands work with them. No UI here. */
export interface Services {
  readonly context: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  readonly accounts: Accounts;
  readonly connection: PlivoConnection;
  readonly sandbox: SandboxService;
  readonly recordings: RecordingsStore;
  readonly calls: CallsModel;
  readonly callbacks: CallbackHistory;
  readonly listener: ListenerService;
  /** Which URL callbacks go to (public URL, tunnel, forwarded, local): the one every view and command uses. */
  readonly urls: CallbackUrlService;
  /** The account's stored recordings (the Recordings view's list and filter). */
  readonly recordingsList: RecordingsList;
  readonly recordingFiles: RecordingFiles;
  readonly transcripts: TranscriptStore;
}
