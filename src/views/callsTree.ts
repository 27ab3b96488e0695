import * as vscode from 'vscode';
import { Disposable } from '../common/lifecycle';
import { callDuration, type LiveCall } from '../plivo';
import { effectiveState, isActive, type RecordingEntry, type RecordingsStore } from '../services/recordingsStore';
import type { CallsModel } from '../services/callsModel';
import type { RecordingsList } from '../services/recordingsList';

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

export type CallsTreeNode = CallNode | RecordingNode | EndedCallNode;

/** Live calls, each with the recordings started on it from this workspace. */
export class CallsTreeProvider extends Disposable implements vscode.TreeDataProvider<CallsTreeNode> {
  readonly #onDidChangeTreeData = this._register(new vscode.EventEmitter<CallsTreeNode | undefined>());
  readonly onDidChangeTreeData = this.#onDidChangeTreeData.event;
  readonly #model: CallsModel;
  readonly #recordings: RecordingsStore;
  readonly #list: RecordingsList;

  constructor(model: CallsModel, recordings: RecordingsStore, list: RecordingsList) {
    super();
    this.#model = model;
    this.#recordings = recordings;
    this.#list = list;
    const refresh = (): void => this.#onDidChangeTreeData.fire(undefined);
    this._register(model.onDidChange(refresh));
    this._register(recordings.onDidChange(refresh));
    this._register(list.onDidChange(refresh));
  }

  getChildren(node?: CallsTreeNode): CallsTreeNode[] {
    if (!node) {
      return [...this.#model.calls.map((call): CallsTreeNode => ({ kind: 'call', call })), ...this.#endedCalls()];
    }
    if (node.kind === 'endedCall') return node.recordings.map((recording) => ({ kind: 'recording', recording }));
    if (node.kind === 'call') {
      return this.#recordings
        .forCall(node.call.callUuid)
        .sort((a, b) => b.startedAt - a.startedAt)
        .map((recording) => ({ kind: 'recording', recording }));
    }
    return [];
  }

  getParent(node: CallsTreeNode): CallsTreeNode | undefined {
    if (node.kind !== 'recording') return undefined;
    const call = this.#model.find(node.recording.callUuid);
    if (call) return { kind: 'call', call };
    return this.#endedCalls().find((n) => n.callUuid === node.recording.callUuid);
  }

  getTreeItem(node: CallsTreeNode): vscode.TreeItem {
    if (node.kind === 'call') return this.#callItem(node.call);
    if (node.kind === 'endedCall') return this.#endedCallItem(node);
    return recordingItem(node.recording, this.#list.isListed(node.recording));
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

  #callItem(call: LiveCall): vscode.TreeItem {
    const recordings = this.#recordings.forCall(call.callUuid);
    const recording = recordings.some((r) => isActive(r));
    const item = new vscode.TreeItem(
      `${call.from || 'unknown'} → ${call.to || 'unknown'}`,
      recordings.length ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None,
    );
    item.id = `call:${call.callUuid}`;
    const duration = callDuration(call);
    item.description = [call.direction, recording ? 'recording' : call.callStatus, duration]
      .filter(Boolean)
      .join(' · ');
    item.contextValue = recording ? 'call.recording' : 'call';
    item.iconPath = recording
      ? new vscode.ThemeIcon('record', new vscode.ThemeColor('charts.red'))
      : new vscode.ThemeIcon(call.direction === 'inbound' ? 'call-incoming' : 'call-outgoing');
    item.tooltip = callTooltip(call, recordings.length);
    item.accessibilityInformation = {
      label: `Call from ${call.from} to ${call.to}, ${call.direction}, ${recording ? 'recording' : call.callStatus}${duration ? `, ${duration}` : ''}`,
    };
    return item;
  }
}

function recordingItem(r: RecordingEntry, listed: boolean): vscode.TreeItem {
  const state = effectiveState(r);
  const item = new vscode.TreeItem(recordingLabel(r));
  item.id = `recording:${r.id}`;
  item.description = [
    state === 'pending' ? 'waiting for Plivo (async)' : state,
    r.fileFormat,
    `${r.timeLimit} s limit`,
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
          : 'pass',
    state === 'recording' ? new vscode.ThemeColor('charts.red') : undefined,
  );
  const md = new vscode.MarkdownString();
  md.appendMarkdown(`**Recording ${state}**\n\n`);
  for (const [name, value] of [
    ['URL', r.url ?? 'not known yet (asynchronous mode)'],
    ['api_id', r.apiId],
    ['recording_id', r.recordingId],
    ['Started', new Date(r.startedAt).toLocaleString()],
    ['Ended', r.endedAt ? new Date(r.endedAt).toLocaleString() : undefined],
    ['Duration', r.durationSeconds !== undefined ? `${r.durationSeconds} s` : undefined],
    ['callback_url', r.callbackUrl],
    ['transcription_url', r.transcriptionUrl],
  ] as const) {
    if (value) md.appendMarkdown(`${name}: `).appendText(value).appendMarkdown('  \n');
  }
  item.tooltip = md;
  item.accessibilityInformation = {
    label: `Recording ${state}, ${r.fileFormat}, started ${new Date(r.startedAt).toLocaleTimeString()}`,
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
    ['From', call.from],
    ['To', call.to],
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
