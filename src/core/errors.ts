/** Named errors: callers and tests match on `name`, never on the message text. */
export class SharedNotesError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
/** Bad user input: an unknown field, an empty title, a malformed command. */
export class InvalidInputError extends SharedNotesError {}
/** No entry with that id in either log. */
export class EntryNotFoundError extends SharedNotesError {}
/** The entry was deleted; a tombstone stays so it cannot come back. */
export class EntryDeletedError extends SharedNotesError {}
/** Publish of an entry that is already published. */
export class AlreadyPublishedError extends SharedNotesError {}
/** Another process holds the store's lock. */
export class StoreLockedError extends SharedNotesError {}
/** Writing to disk failed (full disk, read-only folder); the operation is kept in memory. */
export class StoreWriteError extends SharedNotesError {}
/** Reading the store failed in a way recovery cannot fix (permissions, unreadable folder). */
export class StoreReadError extends SharedNotesError {}
/** The store was used after `close()`. */
export class StoreClosedError extends SharedNotesError {}
/** An invite code that is malformed, of an unknown version, or fails its checksum. */
export class InvalidInviteError extends SharedNotesError {}
/** Bytes from a peer that do not decode or apply. */
export class InvalidPeerDataError extends SharedNotesError {}
/** A peer's data arrived while the document was being reloaded after an Automerge failure (not the peer's fault). */
export class ReplicaReloadingError extends SharedNotesError {}

/**
 * One readable line (or a few) for any thrown value: an Error's name-free message without stack
 * frames, the reasons inside an AggregateError, the `message`/`error` of an event-like object
 * (a WebSocket `error` event), never "[object Object]".
 */
export function describeError(err: unknown, depth = 0): string {
  if (depth > 3) return 'unknown error';
  if (typeof err === 'string') return err;
  if (err instanceof AggregateError && err.errors.length > 0) {
    const reasons = [...new Set(err.errors.map((e: unknown) => describeError(e, depth + 1)))];
    return `${withoutStack(err.message) || 'every attempt failed'}: ${reasons.slice(0, 3).join('; ')}${reasons.length > 3 ? '; …' : ''}`;
  }
  if (err instanceof Error) {
    const message = withoutStack(err.message);
    const code = (err as { code?: unknown }).code;
    const text = message || err.name;
    return typeof code === 'string' && !text.includes(code) ? `${text} (${code})` : text;
  }
  if (typeof err === 'object' && err !== null) {
    const o = err as { message?: unknown; error?: unknown; type?: unknown };
    if (typeof o.message === 'string' && o.message !== '') return withoutStack(o.message);
    if (o.error !== undefined && o.error !== err) return describeError(o.error, depth + 1);
    if (typeof o.type === 'string') return `${o.type} event`;
  }
  return String(err);
}

/** A message without the stack-frame lines some libraries paste into it. */
const withoutStack = (message: string): string =>
  message
    .split('\n')
    .filter((line) => !/^\s+at\s/.test(line))
    .join('\n')
    .replace(/\n{2,}/g, '\n')
    .trim();
