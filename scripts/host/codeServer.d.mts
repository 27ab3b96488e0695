// Types of codeServer.mjs, the one declaration shared by the TypeScript tests (test/e2e/harness.ts) and editors.
// Keep it next to the library and in step with it: the e2e harness type-checks against this file.
import type { Browser } from 'playwright-core';

/** User settings every code-server started here gets (quiet workbench, no telemetry, no update checks). */
export const DEFAULT_SETTINGS: Readonly<Record<string, unknown>>;
export const CHROMIUM_ARGS: readonly string[];

/** Binds `port` (default 0: any) on 127.0.0.1 and releases it: the port, or undefined when it is taken. */
export function freePort(port?: number): Promise<number | undefined>;
export function groupAlive(pgid: number): boolean;
export function stopGroup(pgid: number, graceMs?: number): Promise<void>;
export function reapOrphans(opts?: { log?: (message: string) => void }): Promise<number>;

export interface StartCodeServerOptions {
  /** Default: a free port. */
  port?: number;
  /** Folder opened by the workbench; default: a fresh empty temp folder. */
  workspaceDir?: string;
  /** Default: a fresh temp dir (removed by stop()). */
  userDataDir?: string;
  /** Default: a fresh temp dir (removed by stop()). */
  extensionsDir?: string;
  /** User settings merged over DEFAULT_SETTINGS. */
  settings?: Record<string, unknown>;
  /** Extra environment for the server (the extension host inherits it). */
  env?: Record<string, string>;
  /** Installed with --install-extension before the server starts. */
  vsixPath?: string;
  /** How long to wait for /healthz; default 60 s. */
  timeoutMs?: number;
  /** Do not print progress lines. */
  quiet?: boolean;
}

export type ExitInfo = { code: number | null; signal: NodeJS.Signals | null } | { error: string };

export interface CodeServer {
  url: string;
  port: number;
  pid: number;
  userDataDir: string;
  extensionsDir: string;
  workspaceDir: string;
  logFile: string;
  /** Workbench URL for a folder (default: workspaceDir), optionally with a test `payload`. */
  workbenchUrl(opts?: { folder?: string; payload?: [string, string][] }): string;
  /** `vscode-remote://` URI of a server path, as the workbench payload needs it. */
  remoteUri(path: string): string;
  logTail(lines?: number): string;
  /** Resolves when the server process ends, for whatever reason. */
  exited: Promise<ExitInfo>;
  stop(): Promise<void>;
}

export function startCodeServer(opts?: StartCodeServerOptions): Promise<CodeServer>;

/** Headless Chromium via playwright-core (no downloaded browser). Closed on exit. */
export function launchBrowser(opts?: { headless?: boolean; args?: string[] }): Promise<Browser>;
