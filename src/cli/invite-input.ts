/**
 * Where `--join -` and `--join-file PATH` read the invite from. The invite holds the space key:
 * on the command line any local account can read it in /proc/PID/cmdline (or `ps`) while the peer
 * runs; standard input, a private file or the environment (/proc/PID/environ is the owner's
 * alone) keep it between the person and this process. Both reads are bounded in size.
 */
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { InvalidInputError } from '../core/errors.js';
import type { Logger } from '../core/ports.js';
import { describeFsError } from '../engine/data-dir.js';

/** Far above any real invite (the decoder's own limit is 16 KiB). */
export const MAX_INVITE_INPUT_BYTES = 64 * 1024;

/** The invite in `path`, trimmed; warns when other accounts may read the file. */
export async function readInviteFile(path: string, logger: Logger): Promise<string> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw new InvalidInputError(`cannot read the invite file ${path}: ${describeFsError(err)}`, { cause: err });
  }
  try {
    const mode = (await handle.stat()).mode;
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
      logger.warn(`${path} can be read by other accounts (mode 0${(mode & 0o777).toString(8)}): the invite holds the space key; chmod 600 it or delete it after joining`);
    }
    const buffer = Buffer.alloc(MAX_INVITE_INPUT_BYTES + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > MAX_INVITE_INPUT_BYTES) throw new InvalidInputError(`${path} is larger than an invite can be (${MAX_INVITE_INPUT_BYTES} bytes)`);
    return checked(buffer.subarray(0, bytesRead).toString('utf8'), path);
  } finally {
    await handle.close();
  }
}

/**
 * The first line of `input` (standard input), trimmed. What follows it stays in the stream for the
 * command reader. A terminal gets a prompt on `prompt` (stderr), since nothing else is printed yet.
 */
export async function readInviteLine(input: Readable & { isTTY?: boolean }, prompt: NodeJS.WritableStream): Promise<string> {
  if (input.isTTY) prompt.write('Paste the invite and press Enter: ');
  const chunks: Buffer[] = [];
  let size = 0;
  const line = await new Promise<string>((resolve, reject) => {
    const done = (err?: Error, text?: string) => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.off('error', done);
      input.pause();
      if (err) reject(err);
      else resolve(text ?? '');
    };
    const onData = (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      const newline = bytes.indexOf(0x0a);
      const head = newline < 0 ? bytes : bytes.subarray(0, newline);
      chunks.push(head);
      size += head.length;
      if (size > MAX_INVITE_INPUT_BYTES) return done(new InvalidInputError(`the first line of standard input is longer than an invite can be (${MAX_INVITE_INPUT_BYTES} bytes)`));
      if (newline < 0) return;
      const rest = bytes.subarray(newline + 1);
      done(undefined, Buffer.concat(chunks).toString('utf8'));
      if (rest.length > 0) input.unshift(rest); // the commands that followed the invite
    };
    const onEnd = () => done(undefined, Buffer.concat(chunks).toString('utf8'));
    input.on('data', onData);
    input.on('end', onEnd);
    input.on('error', done);
  });
  return checked(line, 'standard input');
}

function checked(text: string, where: string): string {
  const invite = text.trim();
  if (invite === '') throw new InvalidInputError(`no invite in ${where}`);
  if (/\s/.test(invite)) throw new InvalidInputError(`${where} holds more than one invite code (or stray text): give exactly one`);
  return invite;
}
