import * as vscode from 'vscode';
import { ListenerPortInUseError } from '../callbacks';
import type { Services } from '../services/container';
import { describeSource } from '../services/callbackUrls';

/**
 * Starts the callback listener if needed and resolves its local URL. When its port is taken, offers the next
 * free port (or the setting); undefined when the user declines.
 */
export async function ensureListener(services: Services, port?: number): Promise<string | undefined> {
  try {
    return await services.listener.start(port);
  } catch (error) {
    if (!(error instanceof ListenerPortInUseError)) throw error;
    return offerOtherPort(services, error);
  }
}

async function offerOtherPort(services: Services, error: ListenerPortInUseError): Promise<string | undefined> {
  const other = error.suggestedPort;
  const actions = other === undefined ? ['Open Settings'] : [`Use Port ${other}`, 'Open Settings'];
  const choice = await vscode.window.showWarningMessage(
    `The callback listener cannot start: port ${error.port} is already in use (another app, or the listener of another VS Code window).`,
    ...actions,
  );
  if (choice === 'Open Settings') {
    await vscode.commands.executeCommand('workbench.action.openSettings', 'plivo.listener.port');
  }
  if (choice && other !== undefined && choice.endsWith(String(other))) return ensureListener(services, other);
  return undefined;
}

/** The listener's callback URL for `purpose`, starting it first (with the port offer); undefined if it did not start. */
export async function listenerCallbackUrl(
  services: Services,
  purpose: 'recording' | 'transcription' = 'recording',
): Promise<string | undefined> {
  if (!(await ensureListener(services))) return undefined;
  return services.urls.callbackUrl(purpose);
}

/** Plivo: Start Callback Listener. Failures reach the user through the command registry's error handling. */
export async function startListener(services: Services): Promise<string | undefined> {
  const url = await ensureListener(services);
  if (!url) return undefined;
  const callbackUrl = await services.urls.callbackUrl();
  const { source, tunnel } = services.urls.current;
  // Plivo's cloud cannot reach 127.0.0.1; say so once, where it matters, unless the callbacks come from the sandbox.
  const reachable = source === 'publicUrl' || source === 'tunnel' || services.sandbox.active || vscode.env.remoteName;
  const note = reachable
    ? ` (${describeSource({ source, tunnel })})`
    : '. Plivo reaches it only through a tunnel: start one (Start Public Tunnel) or set plivo.listener.publicUrl';
  // Not awaited: the command is done once the listener runs, whether or not the message is ever clicked.
  void vscode.window
    .showInformationMessage(
      `Callback listener running: ${callbackUrl}${note}.`,
      'Copy URL',
      ...(reachable ? [] : ['Start Public Tunnel', 'Set Public URL']),
    )
    .then(async (choice) => {
      if (choice === 'Copy URL') await copyListenerUrl(services);
      if (choice === 'Start Public Tunnel') await vscode.commands.executeCommand('plivo.startTunnel');
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
  const url = await listenerCallbackUrl(services);
  if (!url) return undefined;
  await vscode.env.clipboard.writeText(url);
  vscode.window.setStatusBarMessage(`$(copy) Copied ${url}`, 4000);
  return url;
}
