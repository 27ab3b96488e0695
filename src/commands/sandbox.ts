import * as vscode from 'vscode';
import type { Services } from '../services/container';

// Failures reach the user through the error handling of the command registry (commands/index.ts).

/** Plivo: Use Offline Sandbox — a local Plivo-compatible server with simulated calls; nothing reaches a real account. */
export async function startSandbox(services: Services): Promise<string> {
  const url = await services.sandbox.start();
  await vscode.commands.executeCommand('plivo.calls.focus');
  void vscode.window.showInformationMessage(
    `Offline sandbox running at ${url} with simulated calls. Recordings and callbacks are simulated; nothing reaches a Plivo account.`,
  );
  return url;
}

/** Plivo: Stop Offline Sandbox — back to the stored credentials. */
export async function stopSandbox(services: Services): Promise<void> {
  await services.sandbox.stop();
  const kept = services.recordings.all().filter((r) => r.state === 'sandbox-stopped').length;
  vscode.window.setStatusBarMessage(
    kept
      ? `$(beaker-stop) Plivo: offline sandbox stopped; its recordings stay in the Calls view, marked "sandbox stopped"`
      : '$(beaker-stop) Plivo: offline sandbox stopped',
    8000,
  );
}
