import * as vscode from 'vscode';
import {
  checkRoundTrip,
  detectCloudflared,
  detectNgrok,
  findTunnelTool,
  tunnelCommand,
  tunnelInstallHints,
  waitForTunnel,
  type RoundTripResult,
  type TunnelDetection,
} from '../callbacks';
import { describeSource } from '../services/callbackUrls';
import type { Services } from '../services/container';
import { settings } from '../services/settings';
import { accountToken, displayUrl } from './delivery';
import { ensureListener } from './listener';

/** ngrok and cloudflared take a few seconds to register a tunnel; more means something is wrong (see the terminal). */
const TUNNEL_START_TIMEOUT_MS = 30_000;

/** Why no tunnel was used, from each agent's answer: `ngrok is not running (…); cloudflared …`. */
function whyNoTunnel(detections: readonly TunnelDetection[]): string {
  return detections.map((d) => (d.kind === 'none' ? d.reason : d.kind === 'error' ? d.message : '')).join('; ');
}

export interface StartTunnelOptions {
  /** Where to look for ngrok and cloudflared; the extension host's PATH by default. */
  pathVariable?: string;
}

/**
 * Plivo: Start Public Tunnel — runs cloudflared or ngrok (whichever is installed) for the listener's port in a
 * terminal the user sees and can stop, then reads its public URL from the tool's local API and uses it.
 * Nothing is downloaded: without either tool, says how to install one. Resolves the public base URL.
 */
export async function startTunnel(services: Services, options: StartTunnelOptions = {}): Promise<string | undefined> {
  const local = await ensureListener(services);
  if (!local) return undefined;
  const port = Number(new URL(local).port);
  const state = await services.urls.refresh();
  if (state.source === 'tunnel' && state.url) {
    void vscode.window.showInformationMessage(
      `A ${state.tunnel ?? ''} tunnel already forwards port ${port}: callbacks go to ${displayUrl(state.url)}.`,
    );
    return state.url;
  }
  const found = await findTunnelTool(options.pathVariable ?? process.env.PATH);
  if (!found) {
    const { message, hints } = tunnelInstallHints();
    const choice = await vscode.window.showWarningMessage(message, ...hints.map((hint) => `Get ${hint.tool}`));
    const hint = hints.find((h) => choice === `Get ${h.tool}`);
    if (hint) await vscode.env.openExternal(vscode.Uri.parse(hint.url));
    return undefined;
  }
  const apiUrl = found.tool === 'ngrok' ? settings.tunnelNgrokApiUrl() : settings.tunnelCloudflaredMetricsUrl();
  let command;
  try {
    command = tunnelCommand(found.tool, found.executable, port, apiUrl);
  } catch {
    void vscode.window.showErrorMessage(
      `plivo.tunnel.cloudflaredMetricsUrl "${apiUrl}" is not a URL such as http://127.0.0.1:20241; fix it and try again.`,
    );
    return undefined;
  }
  const terminal = vscode.window.createTerminal({
    name: `Plivo tunnel (${found.tool})`,
    shellPath: command.executable,
    shellArgs: command.args,
    iconPath: new vscode.ThemeIcon('globe'),
  });
  terminal.show(true);
  services.log.info(`Started ${command.executable} ${command.args.join(' ')} in a terminal.`);
  const detect = (): Promise<TunnelDetection> =>
    found.tool === 'ngrok' ? detectNgrok(apiUrl, port) : detectCloudflared(apiUrl);
  const result = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Starting ${found.tool} for port ${port}…`,
      cancellable: true,
    },
    (_progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      // A tool that exits at once (no authtoken, wrong version) closes its terminal: stop waiting then.
      const closed = vscode.window.onDidCloseTerminal((t) => {
        if (t === terminal) abort.abort();
      });
      return waitForTunnel(detect, { timeoutMs: TUNNEL_START_TIMEOUT_MS, signal: abort.signal }).finally(() =>
        closed.dispose(),
      );
    },
  );
  if (result.kind !== 'found') {
    const why = result.kind === 'none' ? result.reason : result.message;
    void vscode.window.showWarningMessage(
      `${found.tool} did not open a tunnel for port ${port} (${why}). See its terminal for what it said.`,
    );
    return undefined;
  }
  services.urls.useTunnel(result, port);
  services.log.info(`Public URL from ${found.tool}: ${result.url}.`);
  void vscode.window
    .showInformationMessage(
      `Public URL ready (${found.tool}): callbacks to ${displayUrl(result.url)} reach the listener.`,
      'Check Public URL',
      'Copy URL',
    )
    .then((choice) => {
      if (choice === 'Check Public URL') void vscode.commands.executeCommand('plivo.checkPublicUrl');
      if (choice === 'Copy URL') void vscode.commands.executeCommand('plivo.copyListenerUrl');
    });
  return result.url;
}

/**
 * Plivo: Check Public URL — looks for a tunnel again, then sends a signed test callback through the public URL
 * and reports whether it came back to the listener, with the round-trip time.
 */
export async function checkPublicUrl(services: Services): Promise<RoundTripResult | undefined> {
  if (!(await ensureListener(services))) return undefined;
  const state = await services.urls.refresh();
  if (!state.url) return undefined;
  if (state.source !== 'publicUrl' && state.source !== 'tunnel') {
    const why = whyNoTunnel(state.detections);
    const choice = await vscode.window.showWarningMessage(
      `No public URL: callbacks go to ${displayUrl(state.url)} (${describeSource(state)}), which Plivo's servers cannot reach.${why ? ` ${why}.` : ''}${state.errors.length ? ` ${state.errors.join(' ')}` : ''}`,
      'Start Public Tunnel',
      'Set Public URL',
    );
    if (choice === 'Start Public Tunnel') await vscode.commands.executeCommand('plivo.startTunnel');
    if (choice === 'Set Public URL') {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'plivo.listener.publicUrl');
    }
    return undefined;
  }
  const base = await services.urls.base();
  if (!base) return undefined;
  const token = await accountToken(services);
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Checking ${displayUrl(base)}…` },
    () => checkRoundTrip(base, services.listener.onDidReceiveCheck, { authToken: token }),
  );
  if (result.kind === 'ok') {
    services.log.info(`Public URL check: ${result.url} reached the listener in ${result.roundTripMs} ms.`);
    const text = `Public URL works (${describeSource(state)}): a signed test callback through ${displayUrl(base)} reached the listener in ${result.roundTripMs} ms.`;
    if (result.warning) void vscode.window.showWarningMessage(`${text} ${result.warning}`);
    else void vscode.window.showInformationMessage(text);
  } else {
    services.log.warn(`Public URL check failed: ${result.message}`);
    void vscode.window.showWarningMessage(result.message, 'Start Public Tunnel').then((choice) => {
      if (choice) void vscode.commands.executeCommand('plivo.startTunnel');
    });
  }
  return result;
}
