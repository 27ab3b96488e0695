import * as vscode from 'vscode';
import {
  callbackFileName,
  editableParams,
  editedRequestFor,
  outgoingRequestFor,
  parseEditedReplay,
  parseFilterQuery,
  plivoSigner,
  toCurl,
  toPowerShell,
  toHttpFixture,
  toJsonFixture,
  type ReceivedCallback,
  type ReplayResult,
} from '../callbacks';
import type { Services } from '../services/container';
import { settings } from '../services/settings';
import type { Views } from '../views';
import { accountToken, confirmUnverified, pickCallbackDestination } from './delivery';
import { destinationFor, pickStoredCallback, replayIfConfirmed, resolveCallback } from './replayCallback';

// Replay with Edits, Copy as cURL, Save as Fixture, and how the Callbacks view is grouped and filtered.

/** The edited-replay document of a callback: `untitled:replay-<id>.json`, so the id travels with the document. */
const EDIT_NAME = /^replay-(.+)\.json$/;

function editedReplayUri(callback: ReceivedCallback): vscode.Uri {
  return vscode.Uri.from({ scheme: 'untitled', path: `replay-${callback.id}.json` });
}

/** The callback id an edited-replay document belongs to. */
export function editedReplayId(document: vscode.TextDocument): string | undefined {
  if (document.uri.scheme !== 'untitled') return undefined;
  return EDIT_NAME.exec(document.uri.path.split('/').pop() ?? '')?.[1];
}

/** A callback from a tree node, an id, or (from the palette) a pick; undefined (with a message) when gone. */
async function callbackFor(services: Services, node: unknown, title: string): Promise<ReceivedCallback | undefined> {
  await services.callbacks.load();
  const callback = node === undefined ? await pickStoredCallback(services, title) : resolveCallback(services, node);
  if (!callback && node !== undefined) {
    void vscode.window.showWarningMessage('That callback is no longer in the history.');
  }
  return callback;
}

/**
 * Plivo: Replay with Edits… — opens the callback's parameters as an editable JSON document. "Send" (in the
 * notification, the editor title, or Plivo: Send Edited Replay) re-signs and sends what the document says.
 */
export async function replayWithEdits(services: Services, node?: unknown): Promise<vscode.TextEditor | undefined> {
  const callback = await callbackFor(services, node, 'Replay with Edits');
  if (!callback) return undefined;
  const uri = editedReplayUri(callback);
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  const document = open ?? (await vscode.workspace.openTextDocument(uri));
  const editor = await vscode.window.showTextDocument(document, { preview: false });
  if (!open) {
    await editor.edit((edit) => edit.insert(new vscode.Position(0, 0), editableParams(callback)));
  }
  void vscode.window
    .showInformationMessage('Edit the parameters, then Send: they are signed for where you send them.', 'Send')
    .then((choice) => {
      if (choice === 'Send') void vscode.commands.executeCommand('plivo.sendEditedReplay', document.uri);
    });
  return editor;
}

/** Plivo: Send Edited Replay — for the active edited-replay document (or `uri`). */
export async function sendEditedReplay(services: Services, uri?: vscode.Uri): Promise<ReplayResult | undefined> {
  const document = uri
    ? vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString())
    : vscode.window.activeTextEditor?.document;
  const id = document && editedReplayId(document);
  if (!document || id === undefined) {
    void vscode.window.showInformationMessage(
      'Open a callback with Replay with Edits first: its parameters open in a document you can edit and send.',
    );
    return undefined;
  }
  const parsed = parseEditedReplay(document.getText());
  if (!parsed.ok) {
    void vscode.window.showErrorMessage(`The replay was not sent. ${parsed.message}`);
    if (parsed.line !== undefined) {
      const position = new vscode.Position(parsed.line - 1, Math.max(0, (parsed.column ?? 1) - 1));
      const editor = await vscode.window.showTextDocument(document);
      editor.selection = new vscode.Selection(position, position);
      editor.revealRange(new vscode.Range(position, position));
    }
    return undefined;
  }
  await services.callbacks.load();
  const callback = services.callbacks.get(id);
  if (!callback) {
    void vscode.window.showWarningMessage(
      'The callback this replay was made from is no longer in the history; your edits are still in the document.',
    );
    return undefined;
  }
  const target = await pickCallbackDestination(services, destinationFor(callback, 'Send Edited Replay'));
  if (!target) return undefined;
  const request = editedRequestFor(callback, parsed.params);
  const result = await replayIfConfirmed(services, callback, target, { request, edited: true });
  if (!result) return undefined;
  // The callback's document shows what the app answered (status, headers, body, latency): scrolled to it.
  const editor = await vscode.commands.executeCommand<vscode.TextEditor | undefined>('plivo.showCallback', callback.id);
  const at = editor?.document.getText().indexOf('\n  "replay": {');
  if (editor && at !== undefined && at >= 0) {
    const position = editor.document.positionAt(at + 1);
    editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.AtTop);
  }
  return result;
}

const COMMAND_FORMATS = {
  curl: { title: 'Copy as cURL', noun: 'cURL command', build: toCurl },
  powershell: { title: 'Copy as PowerShell', noun: 'PowerShell command', build: toPowerShell },
};

/**
 * Plivo: Copy as cURL / Copy as PowerShell — a command that sends the callback to the chosen target, signed
 * for it.
 */
export async function copyCallbackCommand(
  services: Services,
  node: unknown,
  format: keyof typeof COMMAND_FORMATS,
): Promise<string | undefined> {
  const { title, noun, build } = COMMAND_FORMATS[format];
  const callback = await callbackFor(services, node, title);
  if (!callback) return undefined;
  const target = await pickCallbackDestination(services, destinationFor(callback, title));
  if (!target) return undefined;
  const token = await accountToken(services);
  if (token && !(await confirmUnverified(callback, 'Sign'))) return undefined;
  const result = build(outgoingRequestFor(callback), target.url, token ? plivoSigner(token) : undefined);
  if (!result.ok) {
    void vscode.window.showErrorMessage(result.message);
    return undefined;
  }
  await vscode.env.clipboard.writeText(result.text);
  vscode.window.setStatusBarMessage(`$(copy) Copied a ${noun}${token ? ' (signed)' : ' (unsigned)'}`, 4000);
  return result.text;
}

type FixtureFormat = 'http' | 'json';

interface FormatPick extends vscode.QuickPickItem {
  format: FixtureFormat;
}

/**
 * Plivo: Save as Fixture — the request as a REST Client `.http` file or as JSON, where the user chooses
 * (`format` and `uri` skip the questions, for keybindings and tests).
 */
export async function saveCallbackFixture(
  services: Services,
  node?: unknown,
  format?: FixtureFormat,
  uri?: vscode.Uri,
): Promise<vscode.Uri | undefined> {
  const callback = await callbackFor(services, node, 'Save as Fixture');
  if (!callback) return undefined;
  const chosen =
    format ??
    (
      await vscode.window.showQuickPick<FormatPick>(
        [
          { label: '.http', description: 'REST Client request file', format: 'http' },
          { label: 'JSON', description: 'method, path, headers, params and body', format: 'json' },
        ],
        { title: 'Save as Fixture', placeHolder: 'Which format?' },
      )
    )?.format;
  if (!chosen) return undefined;
  const base = services.listener.url ?? `http://127.0.0.1:${settings.listenerPort()}`;
  const exported =
    chosen === 'http' ? toHttpFixture(callback, base) : { ok: true as const, text: toJsonFixture(callback) };
  if (!exported.ok) {
    void vscode.window.showErrorMessage(exported.message);
    return undefined;
  }
  const name = callbackFileName(callback).replace(/\.json$/, chosen === 'http' ? '.http' : '.json');
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const target =
    uri ??
    (await vscode.window.showSaveDialog({
      title: 'Save as Fixture',
      defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
      filters: chosen === 'http' ? { 'REST Client': ['http'] } : { JSON: ['json'] },
    }));
  if (!target) return undefined;
  await vscode.workspace.fs.writeFile(target, Buffer.from(exported.text, 'utf8'));
  services.log.info(`Saved a callback fixture to ${target.toString(true)}.`);
  void vscode.window
    .showInformationMessage(`Saved the callback as ${vscode.workspace.asRelativePath(target)}.`, 'Open')
    .then((choice) => {
      if (choice) void vscode.window.showTextDocument(target);
    });
  return target;
}

/** Plivo: Filter Callbacks… — `kind:record call:3f2a sig:invalid words`; an empty query clears the filter. */
export async function filterCallbacks(views: Views, query?: string): Promise<string | undefined> {
  const text =
    query ??
    (await vscode.window.showInputBox({
      title: 'Filter Callbacks',
      prompt:
        'Words to find, and any of kind:record|transcription|async|unknown, call:<call UUID start>, sig:valid|valid-v2|invalid|unsigned. Empty shows all.',
      value: views.callbacks.tree.filterQuery ?? '',
      placeHolder: 'kind:record sig:invalid',
      validateInput: (value) => {
        const { problems } = parseFilterQuery(value);
        return problems.length ? problems.join('; ') : undefined;
      },
    }));
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  const { filter, problems } = parseFilterQuery(trimmed);
  if (problems.length) {
    void vscode.window.showErrorMessage(`The filter was not applied: ${problems.join('; ')}.`);
    return undefined;
  }
  views.callbacks.setFilter(trimmed || undefined, filter);
  return trimmed;
}
