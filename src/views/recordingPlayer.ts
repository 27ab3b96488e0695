import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { disposeAll, type IDisposable } from '../common/lifecycle';
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

/** What the page shows under the audio: Plivo's text, or why transcription failed. */
export interface PlayerTranscript {
  text: string;
  error?: string;
}

/** Posted to an open player when its recording's transcript arrives (or changes) after the page was rendered. */
interface TranscriptMessage {
  type: 'transcript';
  transcript?: PlayerTranscript;
}

/**
 * Its only script puts a transcript that arrives later into the page as text: rendering the page again would stop
 * the audio being played. Plivo transcribes after the call, so that is the usual order.
 */
const PLAYER_SCRIPT = `window.addEventListener('message', (event) => {
  const message = event.data;
  if (!message || message.type !== 'transcript') return;
  const section = document.getElementById('transcript');
  const transcript = message.transcript;
  section.hidden = !transcript;
  if (!transcript) return;
  const heading = document.createElement('h2');
  heading.textContent = 'Transcript';
  const body = document.createElement(transcript.error ? 'p' : 'pre');
  if (transcript.error) {
    body.className = 'error';
    body.textContent = 'Transcription failed: ' + transcript.error;
  } else body.textContent = transcript.text;
  section.replaceChildren(heading, body);
});`;

function transcriptHtml(transcript: PlayerTranscript | undefined, requested: boolean): string {
  // aria-live: a screen reader announces a transcript that arrives while the player is open.
  if (!transcript && requested) {
    return '<section id="transcript" aria-live="polite"><h2>Transcript</h2><p class="pending">Requested: Plivo sends it a while after the call, and it appears here.</p></section>';
  }
  if (!transcript) return '<section id="transcript" aria-live="polite" hidden></section>';
  const body = transcript.error
    ? `<p class="error">Transcription failed: ${escapeHtml(transcript.error)}</p>`
    : `<pre>${escapeHtml(transcript.text)}</pre>`;
  return `<section id="transcript" aria-live="polite"><h2>Transcript</h2>${body}</section>`;
}

/** The player page: an `<audio>` element, what is known about the recording, and its transcript once there is one. */
export function playerHtml(options: {
  cspSource: string;
  audioSrc: string;
  fileName: string;
  ref?: RecordingRef;
  bytes?: number;
  transcript?: PlayerTranscript;
  /** Started here with a transcription URL: the page says the transcript is on its way until it comes. */
  transcriptRequested?: boolean;
}): string {
  const { cspSource, audioSrc, fileName, ref, bytes, transcript, transcriptRequested = false } = options;
  const nonce = randomBytes(16).toString('base64');
  const format = (ref?.format ?? fileName.split('.').pop() ?? '').toLowerCase();
  const facts = [
    ref?.startedAt ? ref.startedAt.toLocaleString() : undefined,
    ref?.durationMs !== undefined ? formatDurationMs(ref.durationMs) : undefined,
    format,
    bytes !== undefined ? `${Math.max(1, Math.round(bytes / 1024))} KB` : undefined,
  ].filter(Boolean) as string[];
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; media-src ${cspSource}; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}';">
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
  .pending { color: var(--vscode-descriptionForeground); font-style: italic; }
  .id { color: var(--vscode-descriptionForeground); font-size: 0.9em; margin-top: 2em; }
</style>
</head>
<body>
<h1>${escapeHtml(ref?.title ?? fileName)}</h1>
<p class="facts">${facts.map(escapeHtml).join(' · ')}</p>
<audio controls preload="auto" src="${escapeHtml(audioSrc)}">Your editor cannot play ${escapeHtml(format)} audio.</audio>
${transcriptHtml(transcript, transcriptRequested)}
<p class="id">${ref ? `Recording ID ${escapeHtml(ref.id)}${ref.callUuid ? ` · Call UUID ${escapeHtml(ref.callUuid)}` : ''}` : escapeHtml(fileName)}</p>
<script nonce="${nonce}">${PLAYER_SCRIPT}</script>
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
    webview.options = { enableScripts: true, localResourceRoots: [files.dir] };
    const fileName = basename(document.uri.fsPath);
    if (!files.isCached(document.uri)) {
      webview.html = `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none';"></head><body><p>The Plivo player plays recordings downloaded with <b>Plivo: Play Recording</b>; ${escapeHtml(fileName)} is not one of them.</p></body></html>`;
      return;
    }
    // After a reload the editor comes back before anything was played: the list may still know the recording.
    const listed = this.#services.recordingsList.find(fileName.replace(/\.[a-z0-9]+$/, ''));
    const ref = files.describe(document.uri) ?? (listed && recordingRef(listed));
    const transcriptOf = (): PlayerTranscript | undefined => {
      const record = ref && this.#services.transcripts.forRecording(ref);
      return record && { text: record.text, ...(record.error ? { error: record.error } : {}) };
    };
    const started =
      ref &&
      this.#services.recordings.forTranscript({
        recordingId: ref.isPlivoId ? ref.id : undefined,
        callUuid: ref.callUuid,
      });
    const transcriptRequested = started?.transcriptionUrl !== undefined;
    const bytes = (await stat(document.uri.fsPath).catch(() => undefined))?.size;
    /** What the page shows, and what `webview.html` holds (older while a posted transcript is newer). */
    let shown = transcriptOf();
    let rendered = shown;
    const render = (): void => {
      rendered = shown;
      webview.html = playerHtml({
        cspSource: webview.cspSource,
        audioSrc: webview.asWebviewUri(document.uri).toString(),
        fileName,
        ref,
        bytes,
        transcript: shown,
        transcriptRequested,
      });
    };
    render();
    if (!ref) return;
    // Custom editors take the title set here from VS Code 1.106 on; before, the tab shows the file's name.
    panel.title = ref.title;
    const subscriptions = [
      this.#services.transcripts.onDidChange(() => {
        const latest = transcriptOf();
        if (sameTranscript(latest, shown)) return;
        shown = latest;
        // A hidden player's page is gone; it loads webview.html when shown again.
        const message: TranscriptMessage = { type: 'transcript', transcript: latest };
        if (panel.visible) void webview.postMessage(message);
        else render();
      }),
      panel.onDidChangeViewState(() => {
        if (!panel.visible && rendered !== shown) render();
      }),
    ];
    panel.onDidDispose(() => disposeAll(subscriptions));
  }
}

function sameTranscript(a: PlayerTranscript | undefined, b: PlayerTranscript | undefined): boolean {
  return a?.text === b?.text && a?.error === b?.error;
}

export function registerRecordingPlayer(services: Services): IDisposable {
  return vscode.window.registerCustomEditorProvider(PLAYER_VIEW_TYPE, new RecordingPlayerProvider(services), {
    supportsMultipleEditorsPerDocument: true,
  });
}
