import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { IDisposable } from '../common/lifecycle';
import { formatDurationMs } from '../plivo';
import type { Services } from '../services/container';
import { recordingRef, type RecordingRef } from '../services/recordingFiles';

/** The custom editor that plays a downloaded recording (VS Code's own audio preview is not in every host). */
export const PLAYER_VIEW_TYPE = 'plivo.recordingPlayer';

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

/** The player page: an `<audio>` element and what is known about the recording. No script runs. */
export function playerHtml(options: {
  cspSource: string;
  audioSrc: string;
  fileName: string;
  ref?: RecordingRef;
  bytes?: number;
  transcript?: { text: string; error?: string };
}): string {
  const { cspSource, audioSrc, fileName, ref, bytes, transcript } = options;
  const nonce = randomBytes(16).toString('base64');
  const format = (ref?.format ?? fileName.split('.').pop() ?? '').toLowerCase();
  const facts = [
    ref?.startedAt ? ref.startedAt.toLocaleString() : undefined,
    ref?.durationMs !== undefined ? formatDurationMs(ref.durationMs) : undefined,
    format,
    bytes !== undefined ? `${Math.max(1, Math.round(bytes / 1024))} KB` : undefined,
  ].filter(Boolean) as string[];
  const transcriptHtml = transcript
    ? transcript.error
      ? `<section><h2>Transcript</h2><p class="error">Transcription failed: ${escapeHtml(transcript.error)}</p></section>`
      : `<section><h2>Transcript</h2><pre>${escapeHtml(transcript.text)}</pre></section>`
    : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; media-src ${cspSource}; style-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(ref?.title ?? fileName)}</title>
<style nonce="${nonce}">
  body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 1.5em 2em; max-width: 48em; }
  h1 { font-size: 1.4em; font-weight: 600; margin: 0 0 0.2em; }
  h2 { font-size: 1.05em; font-weight: 600; margin: 1.6em 0 0.4em; }
  .facts { color: var(--vscode-descriptionForeground); margin: 0 0 1.2em; }
  audio { width: 100%; }
  pre { white-space: pre-wrap; font-family: var(--vscode-editor-font-family); background: var(--vscode-textCodeBlock-background); padding: 0.8em 1em; border-radius: 4px; }
  .error { color: var(--vscode-errorForeground); }
  .id { color: var(--vscode-descriptionForeground); font-size: 0.9em; margin-top: 2em; }
</style>
</head>
<body>
<h1>${escapeHtml(ref?.title ?? fileName)}</h1>
<p class="facts">${facts.map(escapeHtml).join(' · ')}</p>
<audio controls preload="auto" src="${escapeHtml(audioSrc)}">Your editor cannot play ${escapeHtml(format)} audio.</audio>
${transcriptHtml}
<p class="id">${ref ? `Recording ID ${escapeHtml(ref.id)}${ref.callUuid ? ` · Call UUID ${escapeHtml(ref.callUuid)}` : ''}` : escapeHtml(fileName)}</p>
</body>
</html>`;
}

/** Plays recordings from the cache folder only; the webview may load nothing else. */
class RecordingPlayerProvider implements vscode.CustomReadonlyEditorProvider {
  readonly #services: Services;

  constructor(services: Services) {
    this.#services = services;
  }

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  async resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): Promise<void> {
    const files = this.#services.recordingFiles;
    const { webview } = panel;
    webview.options = { enableScripts: false, localResourceRoots: [files.dir] };
    const fileName = basename(document.uri.fsPath);
    if (!files.isCached(document.uri)) {
      webview.html = `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none';"></head><body><p>The Plivo player plays recordings downloaded with <b>Plivo: Play Recording</b>; ${escapeHtml(fileName)} is not one of them.</p></body></html>`;
      return;
    }
    // After a reload the editor comes back before anything was played: the list may still know the recording.
    const listed = this.#services.recordingsList.find(fileName.replace(/\.[a-z0-9]+$/, ''));
    const ref = files.describe(document.uri) ?? (listed && recordingRef(listed));
    const transcript = ref && this.#services.transcripts.forRecording(ref);
    const bytes = (await stat(document.uri.fsPath).catch(() => undefined))?.size;
    webview.html = playerHtml({
      cspSource: webview.cspSource,
      audioSrc: webview.asWebviewUri(document.uri).toString(),
      fileName,
      ref,
      bytes,
      transcript,
    });
  }
}

export function registerRecordingPlayer(services: Services): IDisposable {
  return vscode.window.registerCustomEditorProvider(PLAYER_VIEW_TYPE, new RecordingPlayerProvider(services), {
    supportsMultipleEditorsPerDocument: true,
  });
}
