import * as vscode from 'vscode';
import type { Services } from '../services/container';
import { copyCallUuid, copyRecordingUrl, openRecording, refreshCalls } from './callItems';
import { copyListenerUrl, startListener, stopListener } from './listener';
import { recordCall } from './recordCall';
import { startSandbox, stopSandbox } from './sandbox';
import { setCredentials } from './setCredentials';
import { showError } from './showError';
import { signOut } from './signOut';
import { stopRecording } from './stopRecording';
import { callbackCommands } from './callbackCommands';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- command arguments come from menus, the palette and other extensions
type Handler = (services: Services, ...args: any[]) => unknown;

/** Every contributed command, in one place; `package.json` lists the same ids. */
const COMMANDS: Record<string, Handler> = {
  'plivo.setCredentials': (s) => setCredentials(s),
  'plivo.signOut': signOut,
  'plivo.startSandbox': startSandbox,
  'plivo.stopSandbox': stopSandbox,
  'plivo.refreshCalls': refreshCalls,
  'plivo.recordCall': recordCall,
  'plivo.stopRecording': stopRecording,
  'plivo.copyCallUuid': (_s, node) => copyCallUuid(node),
  'plivo.copyRecordingUrl': (_s, node) => copyRecordingUrl(node),
  'plivo.openRecording': openRecording,
  'plivo.showLog': (s) => s.log.show(),
  'plivo.startListener': startListener,
  'plivo.stopListener': stopListener,
  'plivo.copyListenerUrl': copyListenerUrl,
  ...callbackCommands,
};

export function registerCommands(services: Services): void {
  for (const [id, handler] of Object.entries(COMMANDS)) {
    services.context.subscriptions.push(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          return await handler(services, ...args);
        } catch (error) {
          // Handlers report expected failures themselves; this catches the unexpected, without a raw stack.
          void showError(error, services.log);
          return undefined;
        }
      }),
    );
  }
}
