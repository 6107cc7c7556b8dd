/** Renders statusModel() into a status bar item, and shows a progress notification for long catch-ups. */
import * as vscode from 'vscode';
import type { SpaceController } from './controller.js';
import type { LiveDocuments } from './live-documents.js';
import { catchUpStep, NO_CATCH_UP, statusModel, type CatchUpState, type NodeSnapshot } from './status.js';

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('sharedNotes.status', vscode.StatusBarAlignment.Left, 50);
  private readonly subscriptions: vscode.Disposable[];
  private catchUp: CatchUpState = NO_CATCH_UP;
  private recheck: ReturnType<typeof setTimeout> | undefined;
  private rerender: ReturnType<typeof setTimeout> | undefined;
  private endProgress: (() => void) | undefined;
  private report: ((message: string) => void) | undefined;
  /** What the item shows (command, text, tooltip, kind), as last set. */
  private shown = '';

  constructor(
    private readonly controller: SpaceController,
    private readonly live: LiveDocuments,
  ) {
    this.item.name = 'Shared Notes';
    this.subscriptions = [controller.onDidChangeState((s) => this.render(s)), live.onDidChangeHealth(() => this.render(controller.snapshot))];
    this.render(controller.snapshot);
    this.item.show();
  }

  dispose(): void {
    clearTimeout(this.recheck);
    clearTimeout(this.rerender);
    this.endProgress?.();
    for (const s of this.subscriptions) s.dispose();
    this.item.dispose();
  }

  private render(s: NodeSnapshot): void {
    const held = this.live.held();
    const model = statusModel(s, Date.now(), held);
    // Time alone changes some states ("Offline" becomes "No member reachable"): look again then.
    clearTimeout(this.rerender);
    this.rerender = model.recheckInMs !== undefined ? setTimeout(() => this.render(this.controller.snapshot), model.recheckInMs) : undefined;
    // Clicking shows what needs attention: a document that is not up to date, else the peers.
    const command = held.length > 0 ? 'sharedNotes.reloadDocument' : 'sharedNotes.peers.focus';
    // State events come with every sync message; each property set is a message to the window, which
    // redraws the status bar. Only a change in what it shows is sent.
    const shown = JSON.stringify([command, model.text, model.tooltip, model.kind]);
    if (shown !== this.shown) {
      this.shown = shown;
      this.item.command = command;
      this.item.text = model.text;
      this.item.tooltip = new vscode.MarkdownString(model.tooltip, true);
      this.item.backgroundColor = model.kind === 'normal' ? undefined : new vscode.ThemeColor(`statusBarItem.${model.kind}Background`);
      this.item.accessibilityInformation = { label: `Shared Notes: ${model.text.replace(/\$\([^)]*\)\s*/g, '')}` };
    }
    this.trackCatchUp(s);
  }

  /** Applies catchUpStep (status.ts) to the notification. */
  private trackCatchUp(s: NodeSnapshot): void {
    clearTimeout(this.recheck);
    this.recheck = undefined;
    const step = catchUpStep(this.catchUp, s, Date.now());
    this.catchUp = step.state;
    if (step.end) this.endProgress?.();
    if (step.update !== undefined) this.report?.(step.update);
    if (step.show !== undefined) this.showProgress(step.show);
    if (step.recheckInMs !== undefined) this.recheck = setTimeout(() => this.trackCatchUp(this.controller.snapshot), step.recheckInMs);
  }

  private showProgress(message: string): void {
    this.endProgress?.();
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Shared Notes: catching up with' },
      (progress) =>
        new Promise<void>((resolve) => {
          this.report = (m) => progress.report({ message: m });
          this.report(message);
          this.endProgress = () => {
            this.endProgress = undefined;
            this.report = undefined;
            resolve();
          };
        }),
    );
  }
}
