import * as vscode from 'vscode';
import { renderTranscript, type TranscriptRecord } from '../callbacks';
import type { IDisposable } from '../common/lifecycle';
import type { Services } from '../services/container';

/** Read-only plain-text documents `plivo-transcript:/<callback id>/<title>.txt`: a transcript, never HTML. */
export const TRANSCRIPT_SCHEME = 'plivo-transcript';

export function transcriptUri(record: TranscriptRecord, title: string): vscode.Uri {
  const name = `Transcript ${title}`
    .replace(/[\\/:*?"<>|]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return vscode.Uri.from({
    scheme: TRANSCRIPT_SCHEME,
    path: `/${encodeURIComponent(record.callbackId)}/${name}.txt`,
  });
}

class TranscriptDocumentProvider implements vscode.TextDocumentContentProvider {
  readonly #services: Services;

  constructor(services: Services) {
    this.#services = services;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const [, id = '', file = ''] = uri.path.split('/');
    let callbackId: string;
    try {
      callbackId = decodeURIComponent(id);
    } catch {
      callbackId = '';
    }
    const record = this.#services.transcripts.all().find((r) => r.callbackId === callbackId);
    if (!record) return 'This transcript is no longer stored in this workspace.\n';
    return renderTranscript(record, file.replace(/^Transcript /, '').replace(/\.txt$/, ''));
  }
}

export function registerTranscriptDocuments(services: Services): IDisposable {
  return vscode.workspace.registerTextDocumentContentProvider(
    TRANSCRIPT_SCHEME,
    new TranscriptDocumentProvider(services),
  );
}
