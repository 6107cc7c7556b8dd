import { InvalidPeerDataError, SharedNotesError } from '../core/errors.js';

/** A gossip payload that is too large, truncated, or of another wire version (malformed: strike). */
export class InvalidGossipMessageError extends InvalidPeerDataError {}
/** A well-formed gossip message of a type this version does not know (a newer peer): ignored. */
export class UnsupportedGossipTypeError extends SharedNotesError {}
/** A sync frame announced more bytes than MAX_SYNC_FRAME_BYTES, or its length prefix was bad. */
export class SyncFrameTooLargeError extends InvalidPeerDataError {}
/** Our own sync message is over the frame cap (Automerge sync does not split messages); no strike. */
export class SyncMessageTooLargeError extends SharedNotesError {}
/** The peer went quiet for longer than the per-read timeout, or the session hit its time cap. */
export class SyncTimeoutError extends SharedNotesError {}
/** The stream ended in the middle of a sync session. */
export class SyncStreamClosedError extends SharedNotesError {}
/** A hello frame that is too large, not UTF-8 JSON, or has no string `name` (logged and ignored). */
export class InvalidHelloError extends InvalidPeerDataError {}
/** A hello that could not be sent or read in time, or whose stream closed early. */
export class HelloStreamError extends SharedNotesError {}
/** A space key of the wrong length, an identity that does not decode, a bad multiaddr. */
export class InvalidNetworkConfigError extends SharedNotesError {}
/** The network was used before `start()` or after `stop()`. */
export class NetworkNotRunningError extends SharedNotesError {}
/** A dial failed (unreachable, another space's key, blocked peer). */
export class DialFailedError extends SharedNotesError {}
/** A presence message that is too large, not JSON, or has a bad field (logged and ignored). */
export class InvalidPresenceError extends InvalidPeerDataError {}
/** A well-formed presence message of a newer version (ignored). */
export class UnsupportedPresenceVersionError extends SharedNotesError {}
/** A peer list that is too large, not UTF-8 JSON, or of the wrong shape (logged and ignored). */
export class InvalidPeerExchangeError extends InvalidPeerDataError {}
/** A peer list that could not be sent or read in time, or whose stream closed early. */
export class PeerExchangeStreamError extends SharedNotesError {}
