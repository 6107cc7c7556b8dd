/**
 * The "Shared Notes" log output channel as the core Logger, and the one place that tells the user
 * about errors: logged with detail, shown once with a "Show Log" action.
 */
import * as vscode from 'vscode';
import { SharedNotesError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import type { Logger } from '../core/ports.js';

export function createOutputLogger(channel: vscode.LogOutputChannel): Logger {
  // The channel filters by its own level (the user picks it in the Output view); pass everything.
  return createLogger((level, scope, message, args) => channel[level](`[${scope}] ${message}`, ...args.map(String)), 'main', 'trace');
}

/** A message for people: our named errors carry readable messages; anything else gets its name. */
export function userMessage(err: unknown): string {
  if (err instanceof SharedNotesError) return err.message;
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

const SHOW_LOG = 'Show Log';
/** The same error is not shown again within this time (a restart loop would otherwise flood). */
const REPEAT_MS = 30_000;

export class ErrorReporter {
  private readonly recent = new Map<string, number>();

  constructor(
    private readonly channel: vscode.LogOutputChannel,
    private readonly logger: Logger,
  ) {}

  /** Logs the error (with its stack) and shows it once, unless it is a cancellation. */
  report(err: unknown, what: string): void {
    const message = userMessage(err);
    this.logger.error(`${what} failed: ${message}${err instanceof Error && !(err instanceof SharedNotesError) && err.stack ? `\n${err.stack}` : ''}`);
    const key = `${what}|${message}`;
    const now = Date.now();
    if ((this.recent.get(key) ?? 0) > now - REPEAT_MS) return;
    this.recent.set(key, now);
    void vscode.window.showErrorMessage(`Shared Notes: ${what} failed: ${message}`, SHOW_LOG).then((choice) => {
      if (choice === SHOW_LOG) this.channel.show(true);
    });
  }
}
