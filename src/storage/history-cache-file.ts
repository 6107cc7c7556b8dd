import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { HistoryCache, Logger } from '../core/ports.js';
import { errorCode, writeFileDurably } from './durable-files.js';

/** A stored index larger than this is not read (it is rebuilt): 100k operations take ~35 MB. */
const MAX_CACHE_BYTES = 512 * 1024 * 1024;

/** The history index of a space's two logs, as `history-local.ndjson` / `history-shared.ndjson` in its folder. */
export class FileHistoryCache implements HistoryCache {
  constructor(
    private readonly dir: string,
    private readonly logger: Logger,
  ) {}

  async read(log: 'local' | 'shared'): Promise<string | undefined> {
    const path = join(this.dir, fileName(log));
    try {
      const { size } = await stat(path);
      if (size > MAX_CACHE_BYTES) {
        this.logger.warn(`${path} is ${size} bytes, more than a history index can be; rebuilding it`);
        return undefined;
      }
      return await readFile(path, 'utf8');
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return undefined;
      throw err;
    }
  }

  async write(log: 'local' | 'shared', text: string): Promise<void> {
    await writeFileDurably(this.dir, fileName(log), new TextEncoder().encode(text), this.logger);
  }
}

const fileName = (log: 'local' | 'shared'): string => `history-${log}.ndjson`;
