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
