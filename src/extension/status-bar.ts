/** Renders statusModel() into a status bar item, and shows a progress notification for long catch-ups. */
import * as vscode from 'vscode';
import type { SpaceController } from './controller.js';
import { isCatchingUp, statusModel, type NodeSnapshot } from './status.js';

/** A catch-up shorter than this needs no notification: the status bar's spinner is enough. */
const PROGRESS_AFTER_MS = 1_000;

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('sharedNotes.status', vscode.StatusBarAlignment.Left, 50);
  private readonly subscription: vscode.Disposable;
  private progressTimer: ReturnType<typeof setTimeout> | undefined;
  private endProgress: (() => void) | undefined;
  private report: ((message: string) => void) | undefined;

  constructor(controller: SpaceController) {
    this.item.name = 'Shared Notes';
    this.item.command = 'sharedNotes.peers.focus';
    this.subscription = controller.onDidChangeState((s) => this.render(s));
    this.render(controller.snapshot);
    this.item.show();
  }

  dispose(): void {
    clearTimeout(this.progressTimer);
    this.endProgress?.();
    this.subscription.dispose();
    this.item.dispose();
  }

  private render(s: NodeSnapshot): void {
    const model = statusModel(s);
    this.item.text = model.text;
    this.item.tooltip = new vscode.MarkdownString(model.tooltip, true);
    this.item.backgroundColor = model.kind === 'normal' ? undefined : new vscode.ThemeColor(`statusBarItem.${model.kind}Background`);
    this.item.accessibilityInformation = { label: `Shared Notes: ${model.text.replace(/\$\([^)]*\)\s*/g, '')}` };
    this.trackCatchUp(s);
  }

  private trackCatchUp(s: NodeSnapshot): void {
    const message = `${s.summary.syncing} of ${s.summary.connected} peer${s.summary.connected === 1 ? '' : 's'}`;
    if (!isCatchingUp(s)) {
      clearTimeout(this.progressTimer);
      this.progressTimer = undefined;
      this.endProgress?.();
      return;
    }
    if (this.endProgress) {
      this.report?.(message);
      return;
    }
    if (this.progressTimer) return;
    this.progressTimer = setTimeout(() => {
      this.progressTimer = undefined;
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
    }, PROGRESS_AFTER_MS);
  }
}
