/**
 * Small file systems the disk scenarios create for themselves: a size-limited tmpfs is a truly
 * full disk, and remounting it read-only is a truly read-only folder (chmod does not stop root).
 * Mounting needs root and a kernel that lets this process mount (not every container does); when
 * it cannot, `mountTmpfs` says why and the scenario is skipped with that reason.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, open, rm, statfs, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export class Tmpfs {
  private constructor(readonly dir: string) {}

  /** A fresh tmpfs of `sizeMiB`, or the reason it cannot be had here. */
  static async mount(sizeMiB: number): Promise<Tmpfs | string> {
    if (process.platform !== 'linux') return `mounting a tmpfs needs Linux (this is ${process.platform})`;
    if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
    const dir = await mkdtemp(join(tmpdir(), 'sn-chaos-disk-'));
    try {
      await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m,mode=0700`, 'tmpfs', dir]);
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      return `mount -t tmpfs is not permitted here: ${String((err as { stderr?: string }).stderr ?? err).trim()}`;
    }
    return new Tmpfs(dir);
  }

  async remount(mode: 'ro' | 'rw'): Promise<void> {
    await run('mount', ['-o', `remount,${mode}`, this.dir]);
  }

  async freeBytes(): Promise<number> {
    const s = await statfs(this.dir);
    return s.bavail * s.bsize;
  }

  /** Fills the file system to the last byte with `filler`; returns its path. */
  async fill(): Promise<string> {
    const path = join(this.dir, 'filler');
    const handle = await open(path, 'a');
    try {
      for (const size of [1024 * 1024, 64 * 1024, 4096, 512, 64, 1]) {
        const chunk = Buffer.alloc(size, 0x5a);
        for (;;) {
          try {
            const { bytesWritten } = await handle.write(chunk);
            if (bytesWritten < size) break;
          } catch (err) {
            if ((err as { code?: string }).code !== 'ENOSPC') throw err;
            break;
          }
        }
      }
    } finally {
      await handle.close();
    }
    return path;
  }

  async unfill(path: string): Promise<void> {
    await unlink(path);
  }

  async unmount(): Promise<void> {
    await run('umount', ['-l', this.dir]).catch(() => undefined); // already gone: nothing to undo
    await rm(this.dir, { recursive: true, force: true });
  }
}
