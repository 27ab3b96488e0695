import * as vscode from 'vscode';
import { ApiHostNotTrustedError } from '../services/connection';
import { Disposable } from '../common/lifecycle';
import {
  MAX_POLL_BACKOFF_MS,
  callDuration,
  callNumbers,
  formatPhoneNumber,
  liveCallCount,
  type LiveCall,
} from '../plivo';
import { effectiveState, isActive, type RecordingEntry, type RecordingsStore } from '../services/recordingsStore';
import type { CallsModel, CallsPage } from '../services/callsModel';
import type { RecordingsList } from '../services/recordingsList';
import type { SandboxService } from '../services/sandboxService';

export interface CallNode {
  readonly kind: 'call';
  readonly call: LiveCall;
}

export interface RecordingNode {
  readonly kind: 'recording';
  readonly recording: RecordingEntry;
}

/** A call that has ended while recordings started on it here are not in Plivo's list yet. */
export interface EndedCallNode {
  readonly kind: 'endedCall';
  readonly callUuid: string;
  readonly recordings: readonly RecordingEntry[];
}

/** Shown at the top while the last refresh failed (the calls of the refresh before stay below it). */
export interface ErrorNode {
  readonly kind: 'error';
  readonly error: unknown;
  /** Failed refreshes in a row, and when polling tries again by itself (if it will). */
  readonly failures: number;
  readonly retryAt?: number;
}

/** Recordings made on the offline sandbox, which has stopped since. */
export interface SandboxStoppedNode {
  readonly kind: 'sandbox-stopped';
}

/** After the calls shown, while the account has more. */
export interface MoreNode {
  readonly kind: 'more';
}

export type CallsTreeNode = CallNode | RecordingNode | EndedCallNode | ErrorNode | MoreNode | SandboxStoppedNode;

/** Live calls, each with the recordings started on it from this workspace. */
export class CallsTreeProvider extends Disposable implements vscode.TreeDataProvider<CallsTreeNode> {
  readonly #onDidChangeTreeData = this._register(new vscode.EventEmitter<CallsTreeNode | undefined>());
  readonly onDidChangeTreeData = this.#onDidChangeTreeData.event;
  readonly #model: CallsModel;
  readonly #recordings: RecordingsStore;
  readonly #sandbox: SandboxService;
  readonly #list: RecordingsList;

  constructor(model: CallsModel, recordings: RecordingsStore, sandbox: SandboxService, list: RecordingsList) {
    super();
    this.#model = model;
    this.#recordings = recordings;
    this.#sandbox = sandbox;
    this.#list = list;
    const refresh = (): void => this.#onDidChangeTreeData.fire(undefined);
    this._register(model.onDidChange(refresh));
    this._register(recordings.onDidChange(refresh));
    this._register(list.onDidChange(refresh));
  }

  getChildren(node?: CallsTreeNode): CallsTreeNode[] {
    if (!node) {
      return [
        ...this.#errorNodes(),
        ...this.#model.calls.map((call): CallsTreeNode => ({ kind: 'call', call })),
        ...(this.#model.page.complete ? [] : [{ kind: 'more' } as const]),
        ...this.#endedCalls(),
        ...this.#sandboxStoppedNodes(),
      ];
    }
    if (node.kind === 'endedCall') {
      return recordingNodes([...node.recordings]);
    }
    if (node.kind === 'call') return recordingNodes(this.#recordings.forCall(node.call.callUuid));
    if (node.kind === 'sandbox-stopped') return recordingNodes(this.#sandboxStoppedRecordings());
    return [];
  }

  getParent(node: CallsTreeNode): CallsTreeNode | undefined {
    if (node.kind !== 'recording') return undefined;
    if (node.recording.state === 'sandbox-stopped') return { kind: 'sandbox-stopped' };
    const call = this.#model.find(node.recording.callUuid);
    if (call) return { kind: 'call', call };
    return this.#endedCalls().find((n) => n.callUuid === node.recording.callUuid);
  }

  getTreeItem(node: CallsTreeNode): vscode.TreeItem {
    switch (node.kind) {
      case 'call':
        return this.#callItem(node.call);
      case 'recording':
        return recordingItem(node.recording, this.#list.isListed(node.recording));
      case 'endedCall':
        return this.#endedCallItem(node);
      case 'error':
        return errorItem(node);
      case 'more':
        return moreItem(this.#model.page);
      case 'sandbox-stopped':
        return sandboxStoppedItem(this.#sandboxStoppedRecordings().length);
    }
  }

  #endedCalls(): EndedCallNode[] {
    const live = new Set(this.#model.calls.map((c) => c.callUuid));
    return [...this.#list.endedCallRecordings(live)].map(([callUuid, recordings]) => ({
      kind: 'endedCall',
      callUuid,
      recordings: [...recordings].sort((a, b) => b.startedAt - a.startedAt),
    }));
  }

  /** Says where its recordings are: still on their way to Plivo's list, or already in the Recordings view. */
  #endedCallItem(node: EndedCallNode): vscode.TreeItem {
    const waiting = node.recordings.filter((r) => !this.#list.isListed(r)).length;
    const title = this.#list.callTitle(node.callUuid) ?? 'Ended call';
    const item = new vscode.TreeItem(title, vscode.TreeItemCollapsibleState.Expanded);
    item.id = `ended:${node.callUuid}`;
    item.description = waiting
      ? `ended · ${waiting} recording${waiting === 1 ? '' : 's'} not in Recordings yet`
      : 'ended · recordings moved to Recordings';
    item.contextValue = 'endedCall';
    item.iconPath = new vscode.ThemeIcon('call-outgoing', new vscode.ThemeColor('disabledForeground'));
    const md = new vscode.MarkdownString();
    md.appendMarkdown('**Ended call**\n\n');
    md.appendMarkdown('Call UUID: ').appendText(node.callUuid).appendMarkdown('\n\n');
    md.appendMarkdown(
      waiting
        ? 'Its recordings stay here until Plivo lists them in the **Recordings** view.'
        : 'Its recordings are in the **Recordings** view now.',
    );
    item.tooltip = md;
    item.accessibilityInformation = { label: `Ended call ${title}, ${node.callUuid}, ${item.description}` };
    return item;
  }

  #errorNodes(): CallsTreeNode[] {
    const status = this.#model.status;
    return status.kind === 'error'
      ? [{ kind: 'error', error: status.error, failures: status.failures, retryAt: status.retryAt }]
      : [];
  }

  #sandboxStoppedRecordings(): RecordingEntry[] {
    return this.#recordings.all().filter((r) => r.state === 'sandbox-stopped');
  }

  /** Kept while the sandbox is off, so that recordings made on it do not vanish with its calls. */
  #sandboxStoppedNodes(): CallsTreeNode[] {
    return this.#sandbox.active || this.#sandboxStoppedRecordings().length === 0 ? [] : [{ kind: 'sandbox-stopped' }];
  }

  /**
   * The other party's number as the label, direction in the icon, and state and duration in the description: what
   * fits a default-width sidebar. Both numbers are in the tooltip and the accessible label.
   */
  #callItem(call: LiveCall): vscode.TreeItem {
    const recordings = this.#recordings.forCall(call.callUuid);
    const recording = recordings.some((r) => isActive(r));
    const item = new vscode.TreeItem(
      formatPhoneNumber(call.direction === 'inbound' ? call.from : call.to),
      recordings.length ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None,
    );
    item.id = `call:${call.callUuid}`;
    const duration = callDuration(call);
    const state = recording ? 'recording' : callStateText(call.callStatus);
    item.description = [state, duration].filter(Boolean).join(' · ');
    item.contextValue = recording ? 'call.recording' : 'call';
    item.iconPath = new vscode.ThemeIcon(
      call.direction === 'inbound' ? 'call-incoming' : 'call-outgoing',
      recording ? new vscode.ThemeColor('charts.red') : undefined,
    );
    item.tooltip = callTooltip(call, recordings.length);
    // Enter (or a click) on a call records it: the options question comes first, or a confirmation without it.
    item.command = {
      command: 'plivo.recordCall',
      title: 'Record Call',
      arguments: [{ kind: 'call', call }, undefined, 'row'],
    };
    item.accessibilityInformation = {
      label: `${call.direction === 'inbound' ? 'Inbound' : 'Outbound'} call from ${formatPhoneNumber(call.from)} to ${formatPhoneNumber(call.to)}, ${state}${duration ? `, ${duration}` : ''}`,
    };
    return item;
  }
}

/** Plivo's live states in a word; `in-progress` is what nearly every live call says. */
function callStateText(status: string | undefined): string | undefined {
  return status === 'in-progress' ? 'live' : status;
}

function recordingNodes(recordings: RecordingEntry[]): CallsTreeNode[] {
  return recordings
    .sort((a, b) => b.startedAt - a.startedAt)
    .map((recording): CallsTreeNode => ({ kind: 'recording', recording }));
}

/** A tree message cannot carry buttons, so a failed refresh is a row: Enter retries, its inline actions retry or show the log. */
function errorItem({ error, failures, retryAt }: ErrorNode): vscode.TreeItem {
  const hint =
    error instanceof ApiHostNotTrustedError && !error.insecure ? ' Run Plivo: Allow API Host… to decide.' : '';
  const message = `${error instanceof Error ? error.message : String(error)}${hint}`;
  const item = new vscode.TreeItem('Could not load the calls');
  item.id = 'calls:error';
  item.description = message;
  const tooltip = new vscode.MarkdownString().appendText(message);
  if (retryAt !== undefined) {
    // The item is not redrawn as time passes, so it names the time rather than counting down.
    const at = new Date(retryAt).toLocaleTimeString();
    tooltip
      .appendMarkdown('\n\n')
      .appendText(
        `${failures === 1 ? 'Failed once' : `Failed ${failures} times in a row`}; the next automatic try is at ${at} ` +
          `(each failure doubles the wait, up to ${MAX_POLL_BACKOFF_MS / 60_000} minutes).`,
      );
  }
  item.tooltip = tooltip.appendMarkdown('\n\n**Enter**: retry now');
  item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
  item.contextValue = 'calls.error';
  item.command = { command: 'plivo.refreshCalls', title: 'Retry' };
  item.accessibilityInformation = { label: `Could not load the calls: ${message}. Press Enter to retry.` };
  return item;
}

/** The pager shows the first 200 live calls; each Load more adds the next 200 (with their details). */
function moreItem(page: CallsPage): vscode.TreeItem {
  const item = new vscode.TreeItem('Load more…');
  item.id = 'calls:more';
  item.description = liveCallCount(page.shown, page.total, page.complete);
  item.iconPath = new vscode.ThemeIcon('ellipsis');
  item.contextValue = 'calls.more';
  item.command = { command: 'plivo.loadMoreCalls', title: 'Load More Calls' };
  item.accessibilityInformation = {
    label: `Load more calls: ${liveCallCount(page.shown, page.total, page.complete)} shown`,
  };
  return item;
}

function sandboxStoppedItem(count: number): vscode.TreeItem {
  const item = new vscode.TreeItem('Offline sandbox stopped', vscode.TreeItemCollapsibleState.Collapsed);
  item.id = 'calls:sandbox-stopped';
  item.description = `${count} recording${count === 1 ? '' : 's'}`;
  item.tooltip = 'Recordings made on the offline sandbox. It has stopped, so their files can no longer be opened.';
  item.iconPath = new vscode.ThemeIcon('beaker-stop');
  item.contextValue = 'calls.sandboxStopped';
  item.accessibilityInformation = { label: `Offline sandbox stopped, ${item.description}` };
  return item;
}

function recordingItem(r: RecordingEntry, listed: boolean): vscode.TreeItem {
  const state = effectiveState(r);
  const item = new vscode.TreeItem(recordingLabel(r));
  item.id = `recording:${r.id}`;
  item.description = [
    state === 'pending' ? 'waiting for Plivo (async)' : state === 'sandbox-stopped' ? 'sandbox stopped' : state,
    r.fileFormat,
    `${r.timeLimit} s limit`,
    ...(r.unverified ? ['unverified callback'] : []),
    listed ? 'now in Recordings' : undefined,
  ]
    .filter(Boolean)
    .join(' · ');
  if (r.url && (state === 'done' || state === 'stopped')) {
    item.command = {
      command: 'plivo.playRecording',
      title: 'Play Recording',
      arguments: [{ kind: 'recording', recording: r }],
    };
  }
  item.contextValue = r.url
    ? `recording.${state === 'pending' || state === 'recording' ? 'active' : state}`
    : 'recording.pending';
  item.iconPath = new vscode.ThemeIcon(
    state === 'recording'
      ? 'record'
      : state === 'pending'
        ? 'loading~spin'
        : state === 'stopped'
          ? 'debug-stop'
          : state === 'sandbox-stopped'
            ? 'beaker-stop'
            : 'pass',
    state === 'recording' ? new vscode.ThemeColor('charts.red') : undefined,
  );
  const md = new vscode.MarkdownString();
  md.appendMarkdown(
    `**Recording ${state === 'sandbox-stopped' ? 'made on the offline sandbox, now stopped' : state}**\n\n`,
  );
  for (const [name, value] of [
    ['Call', r.from || r.to ? callNumbers(r) : undefined],
    ['URL', r.url ?? 'not known yet (asynchronous mode)'],
    ['api_id', r.apiId],
    ['recording_id', r.recordingId],
    ['Started', new Date(r.startedAt).toLocaleString()],
    ['Ended', r.endedAt ? new Date(r.endedAt).toLocaleString() : undefined],
    ['Duration', r.durationSeconds !== undefined ? `${r.durationSeconds} s` : undefined],
    ['callback_url', r.callbackUrl],
    ['transcription_url', r.transcriptionUrl],
    [
      'Unverified',
      r.unverified ? 'a callback about it had no valid signature; it did not change this recording' : undefined,
    ],
  ] as const) {
    if (value) md.appendMarkdown(`${name}: `).appendText(value).appendMarkdown('  \n');
  }
  item.tooltip = md;
  item.accessibilityInformation = {
    label: `Recording ${state === 'sandbox-stopped' ? 'sandbox stopped' : state}, ${r.fileFormat}, started ${new Date(r.startedAt).toLocaleTimeString()}`,
  };
  return item;
}

/** When it started: what tells recordings of one call apart at a glance (the URL is in the tooltip). */
function recordingLabel(r: RecordingEntry): string {
  return `Recording at ${new Date(r.startedAt).toLocaleTimeString()}`;
}

function callTooltip(call: LiveCall, recordingCount: number): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendMarkdown('**Live call**\n\n');
  for (const [name, value] of [
    ['From', formatPhoneNumber(call.from)],
    ['To', formatPhoneNumber(call.to)],
    ['Caller name', call.callerName],
    ['Direction', call.direction],
    ['Status', call.callStatus],
    ['Started (UTC)', call.sessionStart],
    ['Call UUID', call.callUuid],
    ['STIR verification', call.stirVerification],
    ['Recordings from this workspace', String(recordingCount)],
  ] as const) {
    if (value) md.appendMarkdown(`${name}: `).appendText(value).appendMarkdown('  \n');
  }
  return md;
}
