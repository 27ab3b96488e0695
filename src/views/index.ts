import { disposeAll, type IDisposable } from '../common/lifecycle';
import type { Services } from '../services/container';
import { registerCallbackNotifications } from './callbackNotifications';
import { registerCallbacksView, type CallbacksView } from './callbacksView';
import { registerCallsView, type CallsView } from './callsView';
import { registerListenerStatusBar, type ListenerStatusBar } from './listenerStatusBar';
import { registerAccountStatusBar, type AccountStatusBar } from './accountStatusBar';
import { registerRecordingsView, type RecordingsView } from './recordingsView';

/** What commands need of the views (to reveal or select in them). Not part of the services: views sit above them. */
export interface Views extends IDisposable {
  readonly calls: CallsView;
  readonly callbacks: CallbacksView;
  readonly account: AccountStatusBar;
  readonly recordings: RecordingsView;
  readonly listenerStatus: ListenerStatusBar;
}

/** Registers every view and the rest of the UI that follows the services' state. */
export function registerViews(services: Services): Views {
  const calls = registerCallsView(services);
  const callbacks = registerCallbacksView(services);
  const account = registerAccountStatusBar(services);
  const recordings = registerRecordingsView(services);
  const listenerStatus = registerListenerStatusBar(services);
  const disposables: IDisposable[] = [
    calls,
    callbacks,
    recordings,
    listenerStatus,
    account,
    registerCallbackNotifications(services),
  ];
  return { calls, callbacks, account, recordings, listenerStatus, dispose: () => disposeAll(disposables) };
}
