import * as vscode from 'vscode';
import {
  type CallbackKind,
  type ReceivedCallback,
  callbackDescription,
  callbackFields,
  callbackLabel,
  kindName,
  receivedTime,
  shortId,
  signatureText,
  statusText,
  CallbackFilterIndex,
  groupByCall,
  type CallbackFilter,
  type CallGroup,
  type StoreChange,
} from '../callbacks';
import { Disposable } from '../common/lifecycle';
import { RunOnceScheduler } from '../common/runOnceScheduler';
import type { CallbackHistory } from '../services/callbackHistory';

/** A call's callbacks (async response, record done, transcription), or those tied to no call. */
export interface CallGroupNode {
  readonly nodeType: 'group';
  readonly key: string;
  readonly group: CallGroup;
}

/** The "Show older…" row under the newest callbacks shown. */
export interface ShowOlderNode {
  readonly nodeType: 'older';
  readonly hidden: number;
}

/** A callback row's element is the stored record itself (commands read its `id`). */
export type CallbacksTreeNode = ReceivedCallback | CallGroupNode | ShowOlderNode;

const KIND_ICONS: Record<CallbackKind, string> = {
  record: 'file-media',
  transcription: 'quote',
  async: 'sync',
  unknown: 'question',
};

/** A burst of callbacks (or replays) redraws the list once, not once per callback. */
const REFRESH_DELAY_MS = 50;
/** Rows rendered at first, and added by each "Show older…": thousands of rows would slow the view for nothing. */
export const PAGE_SIZE = 200;

function isGroup(node: CallbacksTreeNode): node is CallGroupNode {
  return (node as CallGroupNode).nodeType === 'group';
}

function isOlder(node: CallbacksTreeNode): node is ShowOlderNode {
  return (node as ShowOlderNode).nodeType === 'older';
}

/**
 * Received callbacks, newest first: grouped by call (or flat), filtered, the newest `PAGE_SIZE` at first.
 * Tree items are cached per stored record, so a redraw rebuilds only the rows whose record changed.
 */
export class CallbacksTreeProvider extends Disposable implements vscode.TreeDataProvider<CallbacksTreeNode> {
  readonly #onDidChangeTreeData = this._register(
    new vscode.EventEmitter<CallbacksTreeNode | CallbacksTreeNode[] | undefined>(),
  );
  readonly onDidChangeTreeData = this.#onDidChangeTreeData.event;
  readonly #history: CallbackHistory;
  #grouped = true;
  #filter: { query: string; filter: CallbackFilter } | undefined;
  /** What the filter reads of each callback, kept while a filter is on. */
  readonly #filterIndex: CallbackFilterIndex;
  #limit = PAGE_SIZE;
  /** The group of each shown callback, for getParent. */
  #parents = new Map<string, CallGroupNode>();
  /** Each row's tree item and the revision of the record it was built from. */
  readonly #items = new Map<string, { revision: number | undefined; item: vscode.TreeItem }>();
  /** The element given to VS Code for each shown callback: the tree knows rows by these objects. */
  #shown = new Map<string, ReceivedCallback>();
  /** Rows whose record changed (a forward or replay result), redrawn alone at the next refresh. */
  readonly #changedRows = new Set<ReceivedCallback>();
  #fullRefresh = false;
  /** Changes within REFRESH_DELAY_MS share one redraw. */
  readonly #refresh = this._register(new RunOnceScheduler(() => this.#fireRefresh(), REFRESH_DELAY_MS));
  #visibleCount = 0;
  #matchingCount = 0;

  constructor(history: CallbackHistory) {
    super();
    this.#history = history;
    this.#filterIndex = new CallbackFilterIndex(history);
    this._register(history.onDidChange((change) => this.#changed(change)));
  }

  get grouped(): boolean {
    return this.#grouped;
  }

  set grouped(grouped: boolean) {
    if (grouped === this.#grouped) return;
    this.#grouped = grouped;
    this.#onDidChangeTreeData.fire(undefined);
  }

  /** The active filter's query as typed, or undefined. */
  get filterQuery(): string | undefined {
    return this.#filter?.query;
  }

  /** How many callbacks match the filter, and how many of them are rendered. */
  get counts(): { matching: number; shown: number } {
    return { matching: this.#matchingCount, shown: this.#visibleCount };
  }

  setFilter(query: string | undefined, filter?: CallbackFilter): void {
    this.#filter = query && filter ? { query, filter } : undefined;
    if (!this.#filter) this.#filterIndex.clear();
    this.#limit = PAGE_SIZE;
    this.#onDidChangeTreeData.fire(undefined);
  }

  showOlder(): void {
    this.#limit += PAGE_SIZE;
    this.#onDidChangeTreeData.fire(undefined);
  }

  /** Called once the view is visible: that is when the history is read from disk. */
  async getChildren(node?: CallbacksTreeNode): Promise<CallbacksTreeNode[]> {
    // Within a call, oldest first: it reads as it happened (async response, record done, transcription).
    if (node) return isGroup(node) ? [...node.group.entries] : [];
    await this.#history.load();
    // Only the rows shown are decoded from the history; a filter reads the rest from its index.
    const matching = this.#filter ? this.#filterIndex.matching(this.#filter.filter) : undefined;
    const shown = matching ? this.#decoded(matching.slice(0, this.#limit)) : this.#history.slice(0, this.#limit);
    this.#matchingCount = matching ? matching.length : this.#history.size;
    this.#visibleCount = shown.length;
    const older: CallbacksTreeNode[] =
      this.#matchingCount > shown.length ? [{ nodeType: 'older', hidden: this.#matchingCount - shown.length }] : [];
    this.#parents = new Map();
    this.#shown = new Map(shown.map((callback) => [callback.id, callback]));
    this.#forgetItemsNotIn(shown);
    if (!this.#grouped) return [...shown, ...older];
    const groups = groupByCall(shown).map((group): CallGroupNode => {
      const node: CallGroupNode = { nodeType: 'group', key: group.callUuid ?? '', group };
      for (const entry of group.entries) this.#parents.set(entry.id, node);
      return node;
    });
    return [...groups, ...older];
  }

  #decoded(ids: readonly string[]): ReceivedCallback[] {
    return ids.map((id) => this.#history.get(id)).filter((callback) => callback !== undefined);
  }

  getParent(node: CallbacksTreeNode): CallbacksTreeNode | undefined {
    return isGroup(node) || isOlder(node) ? undefined : this.#parents.get(node.id);
  }

  getTreeItem(node: CallbacksTreeNode): vscode.TreeItem {
    if (isGroup(node)) return groupTreeItem(node);
    if (isOlder(node)) return olderTreeItem(node);
    // A row updated in place keeps the element it was shown with; its record is read fresh when it changed.
    const revision = this.#history.revisionOf(node.id);
    const cached = this.#items.get(node.id);
    if (cached && cached.revision === revision) return cached.item;
    const item = callbackTreeItem(this.#history.get(node.id) ?? node);
    this.#items.set(node.id, { revision, item });
    return item;
  }

  /** Tooltips are built on hover only. */
  resolveTreeItem(item: vscode.TreeItem, node: CallbacksTreeNode): vscode.TreeItem {
    if (!isGroup(node) && !isOlder(node)) item.tooltip ??= callbackTooltip(node);
    return item;
  }

  #forgetItemsNotIn(shown: readonly ReceivedCallback[]): void {
    if (this.#items.size <= shown.length * 2) return;
    const keep = new Set(shown.map((callback) => callback.id));
    for (const id of this.#items.keys()) if (!keep.has(id)) this.#items.delete(id);
  }

  /**
   * New, removed or cleared entries change the list; an updated entry (a forward or replay result) only its own
   * row, unless a filter could now include or exclude it.
   */
  #changed(change: StoreChange): void {
    const rowsOnly = !change.cleared && change.added.length === 0 && change.removed.length === 0 && !this.#filter;
    if (!rowsOnly) this.#fullRefresh = true;
    else {
      for (const entry of change.updated) {
        const shown = this.#shown.get(entry.id);
        if (shown) this.#changedRows.add(shown);
      }
    }
    this.#refresh.schedule();
  }

  #fireRefresh(): void {
    const rows = [...this.#changedRows];
    this.#changedRows.clear();
    if (this.#fullRefresh) this.#onDidChangeTreeData.fire(undefined);
    else if (rows.length > 0) this.#onDidChangeTreeData.fire(rows);
    this.#fullRefresh = false;
  }
}

function groupTreeItem({ key, group }: CallGroupNode): vscode.TreeItem {
  const count = group.entries.length;
  const item = new vscode.TreeItem(
    group.callUuid ? `call ${shortId(group.callUuid)}` : 'not tied to a call',
    vscode.TreeItemCollapsibleState.Expanded,
  );
  item.id = `group:${key}`;
  const kinds = (['async', 'record', 'transcription'] as const).filter((kind) => group[kind]).map(kindName);
  const latest = group.entries[group.entries.length - 1];
  item.description = [`${count} callback${count === 1 ? '' : 's'}`, ...kinds, receivedTime(latest)].join(' · ');
  item.tooltip = group.callUuid
    ? `Call ${group.callUuid}`
    : 'Callbacks without a call_uuid that could be linked to a call';
  item.iconPath = new vscode.ThemeIcon(group.callUuid ? 'call-incoming' : 'question');
  item.contextValue = group.callUuid ? 'callbackGroup.call' : 'callbackGroup.other';
  item.accessibilityInformation = {
    label: `${group.callUuid ? `Call ${shortId(group.callUuid)}` : 'Callbacks not tied to a call'}, ${item.description}`,
  };
  return item;
}

function olderTreeItem({ hidden }: ShowOlderNode): vscode.TreeItem {
  const item = new vscode.TreeItem('Show older…', vscode.TreeItemCollapsibleState.None);
  item.id = 'older';
  item.description = `${hidden} more`;
  item.iconPath = new vscode.ThemeIcon('fold-down');
  item.command = { command: 'plivo.showOlderCallbacks', title: 'Show Older Callbacks' };
  return item;
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
