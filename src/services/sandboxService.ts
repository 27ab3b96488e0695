import * as vscode from 'vscode';
import { Disposable } from '../common/lifecycle';
import { SANDBOX_AUTH_ID, SANDBOX_AUTH_TOKEN, Sandbox } from '../sandbox';
import type { PlivoCredentials } from '../plivo';

/** The offline sandbox, run inside the extension host so that everything works without a Plivo account. */
export class SandboxService extends Disposable {
  #sandbox: Sandbox | undefined;
  #starting: Promise<Sandbox> | undefined;
  readonly #onDidChange = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.#onDidChange.event;
  readonly #log: vscode.LogOutputChannel;

  constructor(log: vscode.LogOutputChannel) {
    super();
    this.#log = log;
  }

  get active(): { url: string; credentials: PlivoCredentials } | undefined {
    if (!this.#sandbox) return undefined;
    return { url: this.#sandbox.url, credentials: { authId: SANDBOX_AUTH_ID, authToken: SANDBOX_AUTH_TOKEN } };
  }

  async start(): Promise<string> {
    if (this.#sandbox) return this.#sandbox.url;
    this.#starting ??= Sandbox.start({ liveCalls: 3, churn: true });
    try {
      const sandbox = await this.#starting;
      sandbox.on('callback', (e: { kind: string; method: string; url: string; status?: number; error?: string }) =>
        this.#log.info(`Sandbox sent the ${e.kind} callback: ${e.method} ${e.url} → ${e.status ?? e.error ?? '?'}`),
      );
      this.#sandbox = sandbox;
      this.#log.info(`Offline sandbox running at ${sandbox.url} (demo account ${SANDBOX_AUTH_ID}).`);
      this.#onDidChange.fire();
      return sandbox.url;
    } finally {
      this.#starting = undefined;
    }
  }

  async stop(): Promise<void> {
    const sandbox = this.#sandbox;
    if (!sandbox) return;
    this.#sandbox = undefined;
    await sandbox.close();
    this.#log.info('Offline sandbox stopped.');
    this.#onDidChange.fire();
  }

  override dispose(): void {
    void this.#sandbox?.close();
    super.dispose();
  }
}
