import * as vscode from 'vscode';
import { remoteWindowAdvice } from '../callbacks';
import { disposeAll, type IDisposable } from '../common/lifecycle';
import type { Services } from '../services/container';
import type { FinishedRecording } from '../services/listenerService';
import { describeRecording, type RecordingEntry } from '../services/recordingsStore';

async function offerRecording({ recording, callback }: FinishedRecording): Promise<void> {
  // Only known-safe text here: request fields could carry markdown links, which notifications render. The numbers
  // were formatted when the recording started, from the live call's details.
  const what = describeRecording(recording);
  const duration = recording.durationSeconds !== undefined ? `, ${recording.durationSeconds} s` : '';
  const choice = await vscode.window.showInformationMessage(
    `${what[0].toUpperCase()}${what.slice(1)} is done${duration} (callback signature ${callback.signature.state}).`,
    'Play Recording',
    'Show Request',
  );
  if (choice === 'Play Recording') {
    await vscode.commands.executeCommand('plivo.playRecording', { kind: 'recording', recording });
  }
  if (choice === 'Show Request') await vscode.commands.executeCommand('plivo.showCallback', callback.id);
}

/**
 * Plivo sends a transcript well after the call, when nobody is looking at the Recordings view any more: say when one
 * arrives for a recording started here. The transcript store keeps only trusted ones, and one Plivo sends again is
 * announced once.
 */
function announceTranscripts(services: Services): IDisposable {
  const announced = new Set<string>();
  return services.transcripts.onDidArrive((transcript) => {
    const recording = services.recordings.forTranscript(transcript);
    if (!recording) return;
    const key = `${recording.id}\n${transcript.error ?? ''}\n${transcript.text}`;
    if (announced.has(key)) return;
    announced.add(key);
    void offerTranscript(recording, transcript.error !== undefined);
  });
}

async function offerTranscript(recording: RecordingEntry, failed: boolean): Promise<void> {
  // As in offerRecording: only known-safe text, so Plivo's error text is in the transcript, not here.
  const what = describeRecording(recording);
  const node = { kind: 'recording', recording };
  const choice = failed
    ? await vscode.window.showWarningMessage(
        `Transcription of ${what} failed; Show Transcript gives Plivo's reason.`,
        'Show Transcript',
      )
    : await vscode.window.showInformationMessage(
        `The transcript of ${what} arrived.`,
        'Show Transcript',
        'Play Recording',
      );
  if (choice === 'Show Transcript') await vscode.commands.executeCommand('plivo.showTranscript', node);
  if (choice === 'Play Recording') await vscode.commands.executeCommand('plivo.playRecording', node);
}

/**
 * In a remote window (SSH, WSL, dev container, Codespaces) the editor's port forward is private to the user:
 * say once what that means for Plivo, unless a public URL or tunnel is already in use.
 */
function adviseRemoteWindowOnce(services: Services): IDisposable {
  let advised = false;
  return services.urls.onDidChange((state) => {
    const local = services.listener.url;
    if (advised || !local || !vscode.env.remoteName || state.source === 'publicUrl' || state.source === 'tunnel') {
      return;
    }
    const advice = remoteWindowAdvice(vscode.env.remoteName, Number(new URL(local).port), state.url);
    if (!advice) return;
    advised = true;
    void vscode.window.showInformationMessage(advice, 'Start Public Tunnel').then((choice) => {
      if (choice) void vscode.commands.executeCommand('plivo.startTunnel');
    });
  });
}

/**
 * Notifications about received callbacks: a recording from here is done or has its transcript; the saved history was
 * unusable; what a remote window means for Plivo's callbacks.
 */
export function registerCallbackNotifications(services: Services): IDisposable {
  const disposables: IDisposable[] = [
    adviseRemoteWindowOnce(services),
    services.listener.onDidFinishRecording((finished) => void offerRecording(finished)),
    announceTranscripts(services),
    services.callbacks.onDidWarn(
      (warning) => void vscode.window.showWarningMessage(`Plivo callback history: ${warning}`),
    ),
  ];
  return { dispose: () => disposeAll(disposables) };
}
