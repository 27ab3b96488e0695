import * as vscode from 'vscode';
import {
  type CallbackKind,
  type ReceivedCallback,
  callbackDescription,
  callbackFields,
  callbackLabel,
  kindName,
  receivedTime,
  signatureText,
  statusText,
} from '../callbacks';
import { Disposable, toDisposable } from '../common/lifecycle';
import type { CallbackHistory } from '../services/callbackHistory';

/** One row per received callback; the element is the stored record itself. */
export type CallbacksTreeNode = ReceivedCallback;

const KIND_ICONS: Record<CallbackKind, string> = {
  record: 'file-media',
  transcription: 'quote',
  async: 'sync',
  unknown: 'question',
};

/** A burst of callbacks (or replays) redraws the list once, not once per callback. */
const REFRESH_DELAY_MS = 50;

/** Received callbacks, newest first. */
export class CallbacksTreeProvider extends Disposable implements vscode.TreeDataProvider<CallbacksTreeNode> {
  readonly #onDidChangeTreeData = this._register(new vscode.EventEmitter<CallbacksTreeNode | undefined>());
  readonly onDidChangeTreeData = this.#onDidChangeTreeData.event;
  readonly #history: CallbackHistory;
  #timer: NodeJS.Timeout | undefined;

  constructor(history: CallbackHistory) {
    super();
    this.#history = history;
    this._register(history.onDidChange(() => this.#scheduleRefresh()));
    this._register(toDisposable(() => clearTimeout(this.#timer)));
  }

  /** Called once the view is visible: that is when the history is read from disk. */
  async getChildren(node?: CallbacksTreeNode): Promise<CallbacksTreeNode[]> {
    if (node) return [];
    await this.#history.load();
    // A hand-edited history file could repeat an id; the tree refuses duplicate ids.
    const seen = new Set<string>();
    const children: CallbacksTreeNode[] = [];
    for (const callback of this.#history.list()) {
      if (seen.has(callback.id)) continue;
      seen.add(callback.id);
      children.push(callback);
    }
    return children;
  }

  getParent(): undefined {
    return undefined;
  }

  getTreeItem(callback: CallbacksTreeNode): vscode.TreeItem {
    return callbackTreeItem(callback);
  }

  /** Tooltips are built on hover only. */
  resolveTreeItem(item: vscode.TreeItem, callback: CallbacksTreeNode): vscode.TreeItem {
    item.tooltip ??= callbackTooltip(callback);
    return item;
  }

  #scheduleRefresh(): void {
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.#onDidChangeTreeData.fire(undefined);
    }, REFRESH_DELAY_MS);
  }
}

export function callbackTreeItem(callback: ReceivedCallback): vscode.TreeItem {
  const kind: CallbackKind = callback.kind in KIND_ICONS ? callback.kind : 'unknown';
  const item = new vscode.TreeItem(callbackLabel(callback), vscode.TreeItemCollapsibleState.None);
  item.id = callback.id;
  item.description = callbackDescription(callback);
  item.contextValue = `callback.${kind}`;
  const refused = callback.status >= 400;
  const invalid = callback.signature?.state === 'invalid';
  item.iconPath = refused
    ? new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'))
    : new vscode.ThemeIcon(
        KIND_ICONS[kind],
        invalid ? new vscode.ThemeColor('problemsWarningIcon.foreground') : undefined,
      );
  item.command = { command: 'plivo.showCallback', title: 'Show Callback Request', arguments: [callback.id] };
  item.accessibilityInformation = {
    label: [
      `${kindName(kind)} callback`,
      `received ${receivedTime(callback)}`,
      signatureText(callback.signature).replace(/^[✓✗] /, ''),
      refused ? `answered ${statusText(callback.status)}` : undefined,
    ]
      .filter(Boolean)
      .join(', '),
  };
  return item;
}

/** Markdown built from constant labels and `appendText` values: request content can never add markup or links. */
export function callbackTooltip(callback: ReceivedCallback): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  const title = callback.status >= 400 ? 'Refused request' : `${kindName(callback.kind)} callback`;
  md.appendMarkdown(`**${title[0].toUpperCase()}${title.slice(1)}**\n\n`);
  for (const [name, value] of callbackFields(callback)) {
    md.appendMarkdown(`${name}: `).appendText(value).appendMarkdown('  \n');
  }
  return md;
}
