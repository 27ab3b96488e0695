import * as vscode from 'vscode';
import type { Services } from '../services/container';

/** The id VS Code gives the walkthrough: `<publisher>.<name>#<walkthrough id>` (package.json). */
export const WALKTHROUGH_ID = 'plivo.gettingStarted';

/** Plivo: Get Started — opens the walkthrough again (VS Code opens it by itself only once, after install). */
export async function openWalkthrough(services: Services): Promise<void> {
  await vscode.commands.executeCommand(
    'workbench.action.openWalkthrough',
    `${services.context.extension.id}#${WALKTHROUGH_ID}`,
    false,
  );
}
