import * as vscode from 'vscode';
import { disposeAll, type IDisposable } from '../common/lifecycle';
import { describeFilter } from '../plivo';
import type { Services } from '../services/container';
import { registerRecordingPlayer } from './recordingPlayer';
import { RecordingsTreeProvider, type RecordingsTreeNode } from './recordingsTree';
import { registerTranscriptDocuments } from './transcriptDocument';

/** The Recordings view, for commands that reveal in it. */
export interface RecordingsView extends IDisposable {
  readonly tree: RecordingsTreeProvider;
  readonly view: vscode.TreeView<RecordingsTreeNode>;
}

/** `filtered: call 2f1c…` while a filter is on, else how many recordings the account has. */
function description(services: Services): string | undefined {
  const list = services.recordingsList;
  if (list.filtered) return `filtered: ${describeFilter(list.filter)}`;
  if (list.status.kind !== 'loaded') return undefined;
  return `${list.total} recording${list.total === 1 ? '' : 's'}`;
}

/**
 * The Recordings view (Plivo's stored recordings), its player and transcript documents. It loads when first shown
 * and then only on demand or when a recording ends: no polling.
 */
export function registerRecordingsView(services: Services): RecordingsView {
  const list = services.recordingsList;
  const tree = new RecordingsTreeProvider(list, services.transcripts);
  const view = vscode.window.createTreeView('plivo.recordings', { treeDataProvider: tree, showCollapseAll: true });

  const update = (): void => {
    const { status } = list;
    view.description = description(services);
    view.message =
      status.kind === 'error'
        ? `⚠ ${status.error instanceof Error ? status.error.message : String(status.error)}`
        : undefined;
    void vscode.commands.executeCommand('setContext', 'plivo.recordingsFiltered', list.filtered);
    void vscode.commands.executeCommand(
      'setContext',
      'plivo.recordingsEmpty',
      status.kind === 'loaded' && list.recordings.length === 0,
    );
  };

  const disposables: IDisposable[] = [
    tree,
    view,
    registerRecordingPlayer(services),
    registerTranscriptDocuments(services),
    list.onDidChange(update),
    view.onDidChangeVisibility((e) => list.setVisible(e.visible)),
  ];
  update();
  list.setVisible(view.visible);
  return { tree, view, dispose: () => disposeAll(disposables) };
}
