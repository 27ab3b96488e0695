import type { Services } from '../services/container';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- command arguments come from menus and the palette
type Handler = (services: Services, ...args: any[]) => unknown;

/** Commands of the Callbacks view (being written). */
export const callbackCommands: Record<string, Handler> = {};
