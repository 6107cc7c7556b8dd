import { closeSync, openSync, writeSync } from 'node:fs';

/**
 * Where a daemon's log lines go: stderr, or a file opened for appending that `reopen()` (SIGHUP)
 * closes and opens again by name, so logrotate can move it away and the next line starts a new file.
 * Writes are synchronous: a line is on its way to the file before the process can exit.
 */
export class LogFile {
  private fd: number | undefined;

  constructor(private readonly path: string | undefined) {
    if (path !== undefined) this.fd = openSync(path, 'a', 0o640);
  }

  write(line: string): void {
    if (this.fd === undefined) {
      process.stderr.write(line);
      return;
    }
    try {
      writeSync(this.fd, line);
    } catch (err) {
      // The disk is full or the file went away: say so on stderr rather than lose the line silently.
      process.stderr.write(`shared-notes: could not write to ${this.path}: ${(err as Error).message}\n${line}`);
    }
  }

  /** Opens the file again by name (after logrotate moved it); a no-op when logging to stderr. */
  reopen(): void {
    if (this.path === undefined) return;
    const next = openSync(this.path, 'a', 0o640);
    const previous = this.fd;
    this.fd = next;
    if (previous !== undefined) closeSync(previous);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
