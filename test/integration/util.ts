import * as vscode from 'vscode';
import type { Services } from '../../src/services/container';

export const EXTENSION_ID = 'plivo-community.plivo-call-recording';

/** Activates the extension under test and returns its services (exposed outside production mode only). */
export async function activateExtension(): Promise<Services> {
  const extension = vscode.extensions.getExtension<Services | undefined>(EXTENSION_ID);
  if (!extension) throw new Error(`${EXTENSION_ID} is not loaded in this extension host`);
  const services = await extension.activate();
  if (!services) throw new Error('the extension exposes no services: is it running in production mode?');
  return services;
}

/** Polls `probe` until it returns a value; waits on a condition, never a fixed time. */
export async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
