import * as vscode from 'vscode';
import type { Services } from '../services/container';
import { settings } from '../services/settings';

/** Plivo: Start Callback Listener. Failures reach the user through the command registry's error handling. */
export async function startListener(services: Services): Promise<string | undefined> {
  const url = await services.listener.start();
  if (!url) return undefined;
  const callbackUrl = await services.listener.callbackUrl();
  // Plivo's cloud cannot reach 127.0.0.1; say so once, where it matters, unless the callbacks come from the sandbox.
  const reachable = settings.listenerPublicUrl() || services.sandbox.active || vscode.env.remoteName;
  const note = reachable
    ? ''
    : ' Plivo reaches it only through a tunnel: set plivo.listener.publicUrl to your ngrok or cloudflared URL.';
  // Not awaited: the command is done once the listener runs, whether or not the message is ever clicked.
  void vscode.window
    .showInformationMessage(
      `Callback listener running: ${callbackUrl}.${note}`,
      'Copy URL',
      ...(reachable ? [] : ['Set Public URL']),
    )
    .then(async (choice) => {
      if (choice === 'Copy URL') await copyListenerUrl(services);
      if (choice === 'Set Public URL') {
        await vscode.commands.executeCommand('workbench.action.openSettings', 'plivo.listener.publicUrl');
      }
    });
  return url;
}

/** Plivo: Stop Callback Listener. */
export async function stopListener(services: Services): Promise<void> {
  await services.listener.stop();
  vscode.window.setStatusBarMessage('$(debug-disconnect) Plivo callback listener stopped', 5000);
}

/** Plivo: Copy Callback Listener URL (also the status-bar item's click). */
export async function copyListenerUrl(services: Services): Promise<string | undefined> {
  const url = await services.listener.callbackUrl();
  if (!url) return undefined;
  await vscode.env.clipboard.writeText(url);
  vscode.window.setStatusBarMessage(`$(copy) Copied ${url}`, 4000);
  return url;
}
