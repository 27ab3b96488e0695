import * as vscode from 'vscode';
import { disposeAll, type IDisposable } from '../common/lifecycle';

// One screen of a multi-step question: a quick pick or an input box with a Back button and a step counter, which
// resolves to the answer, BACK, or undefined when the user cancels (Escape, focus elsewhere).

export const BACK = Symbol('back');
export type StepResult<T> = T | typeof BACK | undefined;

export interface Choice<T> extends vscode.QuickPickItem {
  value: T;
}

export interface StepFrame {
  /** e.g. `Record +1 415 555 0100 → +1 212 555 0143` */
  title: string;
  /** Shown as `2/5`; none on a screen before the counted steps. */
  step?: number;
  totalSteps?: number;
  /** No Back button on the first screen. */
  back: boolean;
}

export function pickStep<T>(
  frame: StepFrame,
  placeholder: string,
  choices: Choice<T>[],
  active?: T,
): Promise<StepResult<T>> {
  const quickPick = vscode.window.createQuickPick<Choice<T>>();
  applyFrame(quickPick, frame);
  quickPick.placeholder = placeholder;
  quickPick.items = choices;
  const activeItem = choices.find((c) => c.value === active);
  if (activeItem) quickPick.activeItems = [activeItem];
  return run(quickPick, (resolve) => [
    quickPick.onDidAccept(() => {
      const item = quickPick.selectedItems[0] ?? quickPick.activeItems[0];
      if (item) resolve(item.value);
    }),
  ]);
}

export function inputStep(
  frame: StepFrame,
  prompt: string,
  value: string,
  validate: (value: string) => string | undefined,
): Promise<StepResult<string>> {
  const input = vscode.window.createInputBox();
  applyFrame(input, frame);
  input.prompt = prompt;
  input.value = value;
  const check = (): void => {
    input.validationMessage = validate(input.value);
  };
  check();
  return run(input, (resolve) => [
    input.onDidChangeValue(check),
    input.onDidAccept(() => {
      check();
      if (!input.validationMessage) resolve(input.value.trim());
    }),
  ]);
}

function applyFrame(input: vscode.QuickPick<vscode.QuickPickItem> | vscode.InputBox, frame: StepFrame): void {
  input.title = frame.title;
  input.step = frame.step;
  input.totalSteps = frame.totalSteps;
  input.ignoreFocusOut = true;
  input.buttons = frame.back ? [vscode.QuickInputButtons.Back] : [];
}

function run<T>(
  input: vscode.QuickPick<vscode.QuickPickItem> | vscode.InputBox,
  listen: (resolve: (value: T) => void) => IDisposable[],
): Promise<StepResult<T>> {
  return new Promise<StepResult<T>>((resolve) => {
    let settled = false;
    const finish = (value: StepResult<T>): void => {
      if (settled) return;
      settled = true;
      disposeAll(disposables);
      input.dispose();
      resolve(value);
    };
    const disposables: IDisposable[] = [
      ...listen((value) => finish(value)),
      input.onDidTriggerButton((button) => {
        if (button === vscode.QuickInputButtons.Back) finish(BACK);
      }),
      input.onDidHide(() => finish(undefined)),
    ];
    input.show();
  });
}
