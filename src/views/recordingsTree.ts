import * as vscode from 'vscode';
import { oneLine, type TranscriptRecord } from '../callbacks';
import { Disposable } from '../common/lifecycle';
import {
  dayLabel,
  formatDurationMs,
  groupByDay,
  localDayKey,
  recordingStart,
  recordingTitle,
  type Recording,
} from '../plivo';
import type { RecordingsList } from '../services/recordingsList';
import type { RecordingEntry } from '../services/recordingsStore';
import type { TranscriptStore } from '../services/transcripts';

export interface DayNode {
  readonly kind: 'day';
  readonly day: string;
}

export interface StoredRecordingNode {
  readonly kind: 'stored';
  readonly recording: Recording;
}

export interface TranscriptNode {
  readonly kind: 'transcript';
  readonly recording: Recording;
  readonly transcript: TranscriptRecord;
}

export interface LoadMoreNode {
  readonly kind: 'more';
}

export type RecordingsTreeNode = DayNode | StoredRecordingNode | TranscriptNode | LoadMoreNode;

/** The account's recordings by day, newest first, each with its transcript; a "Load more…" row while Plivo has more. */
export class RecordingsTreeProvider extends Disposable implements vscode.TreeDataProvider<RecordingsTreeNode> {
  readonly #onDidChangeTreeData = this._register(new vscode.EventEmitter<RecordingsTreeNode | undefined>());
  readonly onDidChangeTreeData = this.#onDidChangeTreeData.event;
  readonly #list: RecordingsList;
  readonly #transcripts: TranscriptStore;

  constructor(list: RecordingsList, transcripts: TranscriptStore) {
    super();
    this.#list = list;
    this.#transcripts = transcripts;
    const refresh = (): void => this.#onDidChangeTreeData.fire(undefined);
    this._register(list.onDidChange(refresh));
    this._register(transcripts.onDidChange(refresh));
  }

  getChildren(node?: RecordingsTreeNode): RecordingsTreeNode[] {
    if (!node) {
      const days: RecordingsTreeNode[] = groupByDay(this.#list.recordings).map(({ day }) => ({ kind: 'day', day }));
      return this.#list.hasMore ? [...days, { kind: 'more' }] : days;
    }
    if (node.kind === 'day') {
      return groupByDay(this.#list.recordings)
        .filter((g) => g.day === node.day)
        .flatMap((g) => g.items.map((recording): RecordingsTreeNode => ({ kind: 'stored', recording })));
    }
    if (node.kind === 'stored') {
      const transcript = this.transcriptOf(node.recording);
      return transcript ? [{ kind: 'transcript', recording: node.recording, transcript }] : [];
    }
    return [];
  }

  getParent(node: RecordingsTreeNode): RecordingsTreeNode | undefined {
    if (node.kind === 'stored') {
      const start = recordingStart(node.recording);
      return { kind: 'day', day: start ? localDayKey(start) : 'unknown' };
    }
    if (node.kind === 'transcript') return { kind: 'stored', recording: node.recording };
    return undefined;
  }

  transcriptOf(recording: Recording): TranscriptRecord | undefined {
    return this.#transcripts.find({
      recordingId: recording.recordingId,
      callUuid: recording.callUuid,
      endedAtMs: recording.endMs ?? recording.addedAt?.getTime(),
    });
  }

  getTreeItem(node: RecordingsTreeNode): vscode.TreeItem {
    switch (node.kind) {
      case 'day':
        return this.#dayItem(node.day);
      case 'stored':
        return this.#recordingItem(node.recording);
      case 'transcript':
        return transcriptItem(node);
      case 'more':
        return this.#moreItem();
    }
  }

  #dayItem(day: string): vscode.TreeItem {
    const count = groupByDay(this.#list.recordings).find((g) => g.day === day)?.items.length ?? 0;
    const item = new vscode.TreeItem(
      day === 'unknown' ? 'Unknown date' : dayLabel(day),
      vscode.TreeItemCollapsibleState.Expanded,
    );
    item.id = `day:${day}`;
    item.description = `${count} recording${count === 1 ? '' : 's'}`;
    item.contextValue = 'recordingDay';
    return item;
  }

  #recordingItem(r: Recording): vscode.TreeItem {
    const transcript = this.transcriptOf(r);
    const here = this.#list.startedHere(r);
    const item = new vscode.TreeItem(
      recordingTitle(r),
      transcript ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None,
    );
    // VS Code keeps a row's collapsible state by id: a row first shown as a leaf would come back collapsed, hiding
    // the transcript Plivo sends minutes after the call. So a row with a transcript has an id of its own.
    item.id = `recording:${r.recordingId}${transcript ? ':transcribed' : ''}`;
    const start = recordingStart(r);
    const time = start?.toLocaleTimeString();
    const duration = formatDurationMs(r.durationMs);
    const pending = transcriptPending(transcript, here);
    const transcriptNote = transcript?.error ? 'transcription failed' : pending ? 'transcript requested' : undefined;
    item.description = [time, duration, r.format, here ? 'from this workspace' : undefined, transcriptNote]
      .filter(Boolean)
      .join(' · ');
    item.contextValue = here ? 'storedRecording.here' : 'storedRecording';
    item.iconPath = new vscode.ThemeIcon(
      here ? 'record' : 'file-media',
      here ? new vscode.ThemeColor('charts.red') : undefined,
    );
    item.command = {
      command: 'plivo.playRecording',
      title: 'Play Recording',
      arguments: [{ kind: 'stored', recording: r }],
    };
    item.tooltip = recordingTooltip(r, here !== undefined, transcript, pending);
    item.accessibilityInformation = {
      label: [
        `Recording ${recordingTitle(r)}`,
        time ? `started ${time}` : undefined,
        duration,
        r.format,
        here ? 'from this workspace' : undefined,
        transcriptNote,
      ]
        .filter(Boolean)
        .join(', '),
    };
    return item;
  }

  #moreItem(): vscode.TreeItem {
    const loading = this.#list.loadingMore;
    const item = new vscode.TreeItem(loading ? 'Loading…' : 'Load more…');
    item.id = 'more';
    item.description = `${this.#list.recordings.length} of ${this.#list.total} shown`;
    item.iconPath = new vscode.ThemeIcon(loading ? 'loading~spin' : 'ellipsis');
    item.contextValue = 'recordingsMore';
    if (!loading) item.command = { command: 'plivo.loadMoreRecordings', title: 'Load More Recordings' };
    return item;
  }
}

function transcriptItem({ recording, transcript }: TranscriptNode): vscode.TreeItem {
  const item = new vscode.TreeItem(transcript.error ? 'Transcription failed' : 'Transcript');
  item.id = `transcript:${recording.recordingId}`;
  item.description = transcript.error ?? oneLine(transcript.text);
  item.iconPath = new vscode.ThemeIcon(
    transcript.error ? 'warning' : 'note',
    transcript.error ? new vscode.ThemeColor('problemsWarningIcon.foreground') : undefined,
  );
  item.contextValue = transcript.error ? 'transcript.failed' : 'transcript';
  item.command = {
    command: 'plivo.showTranscript',
    title: 'Show Transcript',
    arguments: [{ kind: 'stored', recording }],
  };
  item.tooltip = transcript.error ? `Transcription failed: ${transcript.error}` : transcript.text;
  item.accessibilityInformation = {
    label: transcript.error
      ? `Transcription failed: ${transcript.error}`
      : `Transcript: ${oneLine(transcript.text, 200)}`,
  };
  return item;
}

/** Started here with a transcription URL and no transcript yet: Plivo sends it minutes after the call. */
function transcriptPending(transcript: TranscriptRecord | undefined, here: RecordingEntry | undefined): boolean {
  return !transcript && here?.transcriptionUrl !== undefined;
}

/** Markdown from constant labels and `appendText` values: nothing Plivo sends can add markup or links. */
function recordingTooltip(
  r: Recording,
  here: boolean,
  transcript: TranscriptRecord | undefined,
  transcriptPending: boolean,
): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendMarkdown(`**Recording${here ? ' started from this workspace' : ''}**\n\n`);
  const start = recordingStart(r);
  for (const [name, value] of [
    ['Recording ID', r.recordingId],
    ['Call UUID', r.callUuid || undefined],
    ['Conference', r.conferenceName],
    ['Started', start?.toLocaleString()],
    ['Duration', formatDurationMs(r.durationMs)],
    ['Format', r.format],
    ['URL', r.url],
    [
      'Stored for',
      r.storageDurationDays !== undefined
        ? `${r.storageDurationDays} day${r.storageDurationDays === 1 ? '' : 's'}`
        : undefined,
    ],
    [
      'Transcription',
      transcript?.error
        ? `failed: ${transcript.error}`
        : transcript
          ? 'received'
          : transcriptPending
            ? 'requested; Plivo sends it a while after the call'
            : undefined,
    ],
  ] as const) {
    if (value) md.appendMarkdown(`${name}: `).appendText(value).appendMarkdown('  \n');
  }
  return md;
}
