// End-to-end harness: a real code-server with the freshly built .vsix installed, driven by headless Chromium
// through playwright-core, the way a person clicks. One code-server + one browser per test file:
//
//   import { describe, it } from 'node:test';
//   import { useWorkbench } from './harness';
//   describe('calls view', () => {
//     const ui = useWorkbench({ settings: { 'plivo.apiBaseUrl': 'http://127.0.0.1:1234' } }); // or () => ({ ... }) evaluated in before()
//     it('lists calls', async () => {
//       const wb = ui();
//       await wb.openPlivoSidebar();
//       await wb.treeItem('Calls', /^CA-/).first().waitFor();
//     });
//   });
//
// Needs `npm run host:install`, `npm run package` (dist/plivo-call-recording.vsix) and `npm run compile-tests`;
// `npm run test:e2e` does all of it. How the real host is driven: docs/architecture.md, "Tests".
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Browser, Locator, Page } from 'playwright-core';
import type { CodeServer } from '../../scripts/host/codeServer.mjs' with { 'resolution-mode': 'import' };

/** Repository root (this file runs from out/test/e2e/). */
export const REPO_ROOT = findRepoRoot(__dirname);
export const DEFAULT_VSIX = path.join(REPO_ROOT, 'dist', 'plivo-call-recording.vsix');
export const RESULTS_DIR = path.join(REPO_ROOT, 'test-results');

function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'scripts', 'host', 'codeServer.mjs'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`repository root not found above ${start}`);
  }
}

export interface WorkbenchOptions {
  /** User settings (merged over the harness defaults such as workbench.startupEditor = none). */
  settings?: Record<string, unknown>;
  /** Extra environment for code-server; the extension host inherits it (e.g. PLIVO_AUTH_ID / PLIVO_AUTH_TOKEN). */
  env?: Record<string, string>;
  /** Folder opened in the workbench; default: a fresh empty temp folder. */
  workspaceDir?: string;
  /** .vsix to install; default dist/plivo-call-recording.vsix. */
  vsixPath?: string;
  /** Browser viewport; default 1280x800. */
  viewport?: { width: number; height: number };
  /** How long to wait for the workbench + the Plivo activity-bar item; default 60 s. */
  readyTimeoutMs?: number;
}

/** The host library shared with the scripts; its types are declared once, in codeServer.d.mts. */
type HostLibrary = typeof import('../../scripts/host/codeServer.mjs', { with: { 'resolution-mode': 'import' } });
export type { CodeServer };

async function loadHostLibrary(): Promise<HostLibrary> {
  // Real dynamic import (module: Node16 keeps it) of the ESM library shared with the scripts.
  return (await import(pathToFileURL(path.join(REPO_ROOT, 'scripts', 'host', 'codeServer.mjs')).href)) as HostLibrary;
}

/** Any free port on 127.0.0.1, from the one helper the scripts use too. */
export async function freePort(): Promise<number> {
  const port = await (await loadHostLibrary()).freePort();
  if (port === undefined) throw new Error('no free port on 127.0.0.1');
  return port;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Codicon references such as `$(edit) ` in a label; the DOM shows them as icons, not text. */
const CODICON = /\$\([a-z0-9-~]+\)\s*/gi;

/** Exact (whole-text) match for a string (its codicons left out), or the RegExp itself. */
function exactly(text: string | RegExp): RegExp {
  return typeof text === 'string' ? new RegExp(`^\\s*${escapeRegExp(text.replace(CODICON, '').trim())}\\s*$`) : text;
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'screenshot';
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class Workbench {
  private constructor(
    readonly server: CodeServer,
    readonly browser: Browser,
    readonly page: Page,
  ) {}

  /** Starts code-server (vsix installed, settings written), opens the workbench and waits for the Plivo activity-bar item. */
  static async start(opts: WorkbenchOptions = {}): Promise<Workbench> {
    const host = await loadHostLibrary();
    const vsixPath = opts.vsixPath ?? DEFAULT_VSIX;
    if (!fs.existsSync(vsixPath)) throw new Error(`${vsixPath} not found: run  npm run package`);
    const server = await host.startCodeServer({
      vsixPath,
      settings: opts.settings,
      env: opts.env,
      workspaceDir: opts.workspaceDir,
      quiet: true,
    });
    let browser: Browser | undefined;
    try {
      browser = await host.launchBrowser();
      const page = await browser.newPage({ viewport: opts.viewport ?? { width: 1280, height: 800 } });
      const wb = new Workbench(server, browser, page);
      await page.goto(server.workbenchUrl());
      await wb.waitUntilReady(opts.readyTimeoutMs ?? 60_000);
      return wb;
    } catch (err) {
      await browser?.close().catch(() => undefined);
      await server.stop();
      throw err;
    }
  }

  /** Closes the browser, stops code-server (whole process group) and removes its temp dirs. */
  async stop(): Promise<void> {
    try {
      await this.browser.close();
    } catch {
      /* already closed */
    }
    await this.server.stop();
  }

  // ---- locators ------------------------------------------------------------------------------------------

  /** The Plivo view container's activity-bar item (aria-label may get a keybinding suffix, hence the prefix match). */
  get plivoActivityItem(): Locator {
    return this.page.getByRole('tab', { name: /^Plivo/ });
  }

  /**
   * The header of a side-bar view by its name ("Calls", "Callbacks"): a button labelled "<name> Section", or
   * "<name> - <description> Section" while the view shows a description (TreeView.description).
   */
  viewHeader(name: string): Locator {
    return this.page.getByRole('button', { name: new RegExp(`^${escapeRegExp(name)}(?: - .*)? Section$`) });
  }

  /** A view pane of the side bar by its name ("Calls", "Callbacks"). */
  view(name: string): Locator {
    return this.page.locator('.pane', { has: this.viewHeader(name) });
  }

  /** A tree item in a view by its label (the item's aria-label, unless the extension sets accessibilityInformation). */
  treeItem(view: string | Locator, name: string | RegExp): Locator {
    const pane = typeof view === 'string' ? this.view(view) : view;
    return pane.getByRole('treeitem', { name, exact: typeof name === 'string' });
  }

  get quickInput(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  get quickInputBox(): Locator {
    return this.page.locator('.quick-input-widget .quick-input-box input');
  }

  /** Rows of the open quick pick / palette. */
  get quickItems(): Locator {
    return this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
  }

  // ---- actions ---------------------------------------------------------------------------------------------

  async waitUntilReady(timeoutMs = 60_000): Promise<void> {
    await this.guard('workbench ready (Plivo activity-bar item)', () =>
      this.plivoActivityItem.waitFor({ state: 'visible', timeout: timeoutMs }),
    );
  }

  /**
   * Runs a command by its full palette title ("Plivo: Refresh Calls") through F1. Waits for the FOCUSED row to be exactly
   * that title before pressing Enter (right after typing, the list still shows the recently used commands).
   */
  async runCommand(title: string): Promise<void> {
    await this.guard(`run command "${title}"`, async () => {
      // Something that takes focus at that moment (the walkthrough page checking off a step) can close the palette
      // between F1 and typing: then it is opened once more.
      for (let attempt = 1; ; attempt++) {
        try {
          await this.page.keyboard.press('Escape'); // close a leftover quick input or menu
          await this.page.keyboard.press('F1');
          await this.quickInputBox.waitFor({ state: 'visible', timeout: 10_000 });
          await this.quickInputBox.fill(`>${title}`, { timeout: 5_000 });
          await this.focusedRow(title).waitFor({ state: 'visible', timeout: 10_000 });
          break;
        } catch (error) {
          if (attempt >= 2) throw error;
        }
      }
      await this.page.keyboard.press('Enter');
    });
  }

  /**
   * Types into the open quick input (input box or quick pick filter), replacing what is there. With `title`, first
   * waits for the step of a multi-step flow whose title matches, since VS Code reuses one widget for every step.
   */
  async quickInputFill(text: string, { title }: { title?: string | RegExp } = {}): Promise<void> {
    await this.guard(`fill quick input with "${text}"`, async () => {
      await this.quickInputBox.waitFor({ state: 'visible', timeout: 15_000 });
      if (title !== undefined) {
        await this.quickInputTitle.filter({ hasText: title }).waitFor({ state: 'visible', timeout: 15_000 });
      }
      await this.quickInputBox.fill(text);
    });
  }

  /** Presses Enter in the open quick input, then waits until it closes or moves to another step (its title changes). */
  async quickInputAccept(): Promise<void> {
    await this.guard('accept quick input', async () => {
      await this.quickInputBox.waitFor({ state: 'visible', timeout: 15_000 });
      const before = await this.quickInputTitle.textContent().catch(() => null);
      await this.quickInputBox.press('Enter');
      const deadline = Date.now() + 10_000;
      // A step whose title stays the same (or a validation error) simply ends the wait at the deadline.
      while (Date.now() < deadline) {
        if (!(await this.quickInput.isVisible())) return;
        if ((await this.quickInputTitle.textContent().catch(() => null)) !== before) return;
        await sleep(100);
      }
    });
  }

  get quickInputTitle(): Locator {
    return this.page.locator('.quick-input-widget .quick-input-title');
  }

  /** The text under the quick input box (validation message / prompt), e.g. to assert an input validation error. */
  async quickInputMessage(): Promise<string> {
    return ((await this.page.locator('.quick-input-widget .quick-input-message').textContent()) ?? '').trim();
  }

  /**
   * Picks the quick-pick item whose label is exactly `label` (a RegExp is matched as is), by clicking its row once the
   * list has stopped changing. Clicking the row, unlike Enter, accepts that very item even when the extension re-sets
   * the items (which moves the focus) just before. A string label that is not on screen is typed into the filter
   * first (codicons like `$(edit)` are left out of what is typed).
   */
  async pickQuickItem(label: string | RegExp, { timeoutMs = 15_000 } = {}): Promise<void> {
    await this.guard(`pick quick item ${String(label)}`, async () => {
      await this.quickInputBox.waitFor({ state: 'visible', timeout: timeoutMs });
      const row = this.quickItems
        .filter({ has: this.page.locator('.label-name', { hasText: exactly(label) }) })
        .first();
      const deadline = Date.now() + timeoutMs;
      const fillAt = Date.now() + 1_000;
      let filled = false;
      let last = '';
      let stableSince = Date.now();
      for (;;) {
        const snapshot = JSON.stringify([await this.quickItemLabels(), await this.quickInputBox.inputValue()]);
        if (snapshot !== last) {
          last = snapshot;
          stableSince = Date.now();
        }
        const visible = await row.isVisible();
        if (visible && Date.now() - stableSince >= 300) {
          await row
            .locator('.label-name', { hasText: exactly(label) })
            .first()
            .click();
          return;
        }
        if (!visible && !filled && typeof label === 'string' && Date.now() > fillAt) {
          await this.quickInputBox.fill(label.replace(CODICON, '').trim());
          filled = true;
        }
        if (Date.now() > deadline) {
          throw new Error(
            `no quick pick item ${String(label)}; items: ${JSON.stringify(await this.quickItemLabels())}`,
          );
        }
        await sleep(100);
      }
    });
  }

  /** Labels of the rows currently shown in the quick pick. */
  async quickItemLabels(): Promise<string[]> {
    return (await this.quickItems.locator('.label-name').allTextContents()).map((s) => s.trim());
  }

  /** Opens the Plivo side bar; clicks the activity-bar item only when the views are not visible (a click would close it). */
  async openPlivoSidebar(): Promise<void> {
    await this.guard('open Plivo side bar', async () => {
      const container = this.page.locator('#workbench\\.view\\.extension\\.plivo');
      if (!(await container.isVisible())) await this.plivoActivityItem.click();
      await container.waitFor({ state: 'visible', timeout: 15_000 });
    });
  }

  /** Expands a collapsed view pane (clicking its header), no-op when expanded. */
  async expandView(name: string): Promise<Locator> {
    const header = this.viewHeader(name);
    if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
    return this.view(name);
  }

  /** Clicks a view's title-bar action by its label (e.g. "Refresh Calls"); the header must be hovered for it to show. */
  async viewAction(view: string, actionName: string): Promise<void> {
    await this.guard(`view action "${actionName}" in ${view}`, async () => {
      const header = this.viewHeader(view);
      await header.hover();
      await this.view(view).locator('.pane-header').getByRole('button', { name: actionName, exact: true }).click();
    });
  }

  /** Right-click `item`, then run the menu item `menuItemName` (title without category) by hover + Enter. */
  async contextMenu(item: Locator, menuItemName: string | RegExp): Promise<void> {
    await this.guard(`context menu "${String(menuItemName)}"`, async () => {
      await item.click({ button: 'right' });
      const menuItem = this.page.getByRole('menuitem', { name: menuItemName, exact: typeof menuItemName === 'string' });
      await menuItem.waitFor({ state: 'visible', timeout: 10_000 });
      await menuItem.hover(); // a click right after the menu appears is often ignored (fade-in)
      await this.page.keyboard.press('Enter');
      await menuItem.waitFor({ state: 'hidden', timeout: 10_000 });
    });
  }

  /**
   * Waits for a notification containing `text`, as a toast or (when VS Code's spam protection routed it there, or the
   * toast is gone) in the Notification Center, which it opens when the bell shows unread notifications.
   * Returns the notification's message text.
   */
  async waitForNotification(text: string | RegExp, { timeoutMs = 30_000 } = {}): Promise<string> {
    return this.guard(`notification ${String(text)}`, async () => {
      const toast = this.page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
      const inCenter = this.page.locator('.notifications-center .notification-list-item', { hasText: text }).first();
      const center = this.page.locator('.notifications-center');
      const unreadBell = this.page.locator('#status\\.notifications [class*="bell"][class*="dot"]');
      const deadline = Date.now() + timeoutMs;
      let nextCenterCheck = Date.now() + 1_500;
      for (;;) {
        for (const candidate of [toast, inCenter]) {
          if (await candidate.isVisible()) {
            return ((await candidate.locator('.notification-list-item-message').first().textContent()) ?? '').trim();
          }
        }
        if (Date.now() > nextCenterCheck && !(await center.isVisible()) && (await unreadBell.isVisible())) {
          await this.page.locator('#status\\.notifications').click(); // opens the Notification Center
          nextCenterCheck = Date.now() + 1_500;
        }
        if (Date.now() > deadline) {
          const seen = await this.page.locator('.notification-list-item-message').allTextContents();
          throw new Error(
            `no notification matching ${String(text)} within ${timeoutMs} ms; visible: ${JSON.stringify(seen)}`,
          );
        }
        await sleep(150);
      }
    });
  }

  /** Clicks the Back button of the open multi-step quick input, then waits for the previous step's title. */
  async quickInputBack(previousTitle: string | RegExp): Promise<void> {
    await this.guard('quick input Back', async () => {
      const titleBar = this.quickInput.locator('.quick-input-titlebar');
      await titleBar
        .locator('.codicon-quick-input-back')
        .or(titleBar.getByRole('button', { name: 'Back' }))
        .first()
        .click();
      await this.quickInputTitle.filter({ hasText: previousTitle }).waitFor({ state: 'visible', timeout: 10_000 });
    });
  }

  /** Clicks the button `action` of the notification containing `text` (waiting for it as waitForNotification does). */
  async notificationAction(text: string | RegExp, action: string): Promise<void> {
    await this.waitForNotification(text);
    await this.guard(`notification action "${action}"`, async () => {
      const item = this.page
        .locator('.notifications-toasts .notification-toast, .notifications-center .notification-list-item', {
          hasText: text,
        })
        .first();
      await item.getByRole('button', { name: action, exact: true }).first().click();
    });
  }

  /** Waits for a status-bar entry (such as a `setStatusBarMessage` confirmation) containing `text`. */
  async waitForStatusBarText(text: string | RegExp, timeoutMs = 15_000): Promise<void> {
    await this.guard(`status bar ${String(text)}`, async () => {
      await this.page.locator('.statusbar').getByText(text).first().waitFor({ state: 'visible', timeout: timeoutMs });
    });
  }

  /** Clears every notification (toasts and center) so that later assertions see only new ones. */
  async clearNotifications(): Promise<void> {
    await this.runCommand('Notifications: Clear All Notifications');
  }

  /** Saves a PNG of the page to <repo>/test-results/<name>.png and returns its path. */
  async screenshot(name: string): Promise<string> {
    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    const file = path.join(RESULTS_DIR, `${safeName(name)}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  // ---- internals -------------------------------------------------------------------------------------------

  /** The focused row of the quick input whose label is exactly `label`. */
  private focusedRow(label: string | RegExp): Locator {
    return this.page
      .locator('.quick-input-widget .quick-input-list .monaco-list-row.focused')
      .filter({ has: this.page.locator('.label-name', { hasText: exactly(label) }) });
  }

  /** Runs a UI step; on failure saves a screenshot and names it in the error. */
  private async guard<T>(what: string, step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (err) {
      let shot = '';
      try {
        shot = await this.screenshot(`failure-${safeName(what).slice(0, 60)}-${Date.now()}`);
      } catch {
        /* page gone */
      }
      const message = err instanceof Error ? err.message : String(err);
      const wrapped = new Error(
        `${what} failed: ${message}${shot ? `\n  screenshot: ${path.relative(REPO_ROOT, shot)}` : ''}`,
      );
      (wrapped as Error & { cause?: unknown }).cause = err;
      throw wrapped;
    }
  }
}

/**
 * Starts one Workbench for the enclosing describe() (or file) in a before() hook and stops it in after().
 * `opts` may be a function, evaluated in before() - e.g. to use the URL of a sandbox started in an earlier hook.
 * Returns a getter for the running Workbench.
 */
export function useWorkbench(
  opts: WorkbenchOptions | (() => WorkbenchOptions | Promise<WorkbenchOptions>) = {},
): () => Workbench {
  let wb: Workbench | undefined;
  before(async () => {
    wb = await Workbench.start(typeof opts === 'function' ? await opts() : opts);
  });
  after(async () => {
    await wb?.stop();
    wb = undefined;
  });
  return () => {
    if (!wb) {
      throw new Error(
        'the workbench is not running (useWorkbench() must be called inside describe(), and its before() hook failed?)',
      );
    }
    return wb;
  };
}
