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

export { until } from '../support/until';
