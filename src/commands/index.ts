import * as vscode from 'vscode';
import { disposeAll, type IDisposable } from '../common/lifecycle';
import type { Services } from '../services/container';
import type { Views } from '../views';
import { copyCallUuid, copyRecordingUrl, refreshCalls } from './callItems';
import { filterCalls, loadMoreCalls } from './callsList';
import { copyListenerUrl, startListener, stopListener } from './listener';
import { recordCall } from './recordCall';
import { startSandbox, stopSandbox } from './sandbox';
import { addAccount, setCredentials } from './setCredentials';
import { showError } from './showError';
import { removeAccount, showSubaccounts, signOut, switchAccount } from './accounts';
import { allowApiHost, resetTrustedApiHosts } from './apiHost';
import { openWalkthrough } from './walkthrough';
import { stopRecording } from './stopRecording';
import { callbackCommands } from './callbackCommands';
import {
  copyCallbackCommand,
  filterCallbacks,
  replayWithEdits,
  saveCallbackFixture,
  sendEditedReplay,
} from './callbackWorkbench';
import { checkPublicUrl, startTunnel } from './tunnel';
import { recordingsCommands } from './recordingsCommands';

/** A command's handler: the services, the views (to reveal or select in them), then the command's arguments. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- command arguments come from menus, the palette and other extensions
export type Handler = (services: Services, views: Views, ...args: any[]) => unknown;

/** Every contributed command, in one place; `package.json` lists the same ids. */
const COMMANDS: Record<string, Handler> = {
  'plivo.setCredentials': (s) => setCredentials(s),
  'plivo.signOut': signOut,
  'plivo.addAccount': addAccount,
  'plivo.switchAccount': switchAccount,
  'plivo.removeAccount': (s, _v, id) => removeAccount(s, typeof id === 'string' ? id : undefined),
  'plivo.showSubaccounts': showSubaccounts,
  'plivo.allowApiHost': allowApiHost,
  'plivo.resetTrustedApiHosts': resetTrustedApiHosts,
  'plivo.openWalkthrough': openWalkthrough,
  'plivo.startSandbox': startSandbox,
  'plivo.stopSandbox': stopSandbox,
  'plivo.refreshCalls': refreshCalls,
  'plivo.loadMoreCalls': loadMoreCalls,
  'plivo.filterCalls': filterCalls,
  'plivo.recordCall': recordCall,
  'plivo.stopRecording': (s, _v, node) => stopRecording(s, node),
  'plivo.copyCallUuid': (_s, _v, node) => copyCallUuid(node),
  'plivo.copyRecordingUrl': (_s, _v, node) => copyRecordingUrl(node),
  'plivo.showLog': (s) => s.log.show(),
  'plivo.startListener': startListener,
  'plivo.stopListener': stopListener,
  'plivo.copyListenerUrl': copyListenerUrl,
  ...callbackCommands,
  'plivo.startTunnel': (s) => startTunnel(s),
  'plivo.checkPublicUrl': (s) => checkPublicUrl(s),
  'plivo.replayWithEdits': (s, _v, node) => replayWithEdits(s, node),
  'plivo.sendEditedReplay': (s, _v, uri) => sendEditedReplay(s, uri instanceof vscode.Uri ? uri : undefined),
  'plivo.copyAsCurl': (s, _v, node) => copyCallbackCommand(s, node, 'curl'),
  'plivo.copyAsPowerShell': (s, _v, node) => copyCallbackCommand(s, node, 'powershell'),
  // Menus pass the selected nodes second: only a format name and a Uri are taken as the optional arguments.
  'plivo.saveCallbackFixture': (s, _v, node, format, uri) =>
    saveCallbackFixture(
      s,
      node,
      format === 'http' || format === 'json' ? format : undefined,
      uri instanceof vscode.Uri ? uri : undefined,
    ),
  'plivo.filterCallbacks': (_s, v, query) => filterCallbacks(v, typeof query === 'string' ? query : undefined),
  'plivo.clearCallbackFilter': (_s, v) => v.callbacks.setFilter(undefined),
  'plivo.groupCallbacksByCall': (_s, v) => v.callbacks.setGrouped(true),
  'plivo.showCallbacksFlat': (_s, v) => v.callbacks.setGrouped(false),
  'plivo.showOlderCallbacks': (_s, v) => v.callbacks.tree.showOlder(),
  ...recordingsCommands,
};

export function registerCommands(services: Services, views: Views): IDisposable {
  const disposables = Object.entries(COMMANDS).map(([id, handler]) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await handler(services, views, ...args);
      } catch (error) {
        // Handlers report expected failures themselves; this catches the unexpected, without a raw stack.
        void showError(error, services.log);
        return undefined;
      }
    }),
  );
  return { dispose: () => disposeAll(disposables) };
}
