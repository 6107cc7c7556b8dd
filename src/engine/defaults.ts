/** Defaults and protocol names both front ends show and fall back to, defined once (light: no libp2p, no disk). */
export { DEFAULT_LISTEN, DEFAULT_MAX_RESERVATIONS, SHARD_SYNC_PROTOCOL, SYNC_PROTOCOL } from '../net/constants.js';
export { DEFAULT_DISPLAY_NAME } from '../core/display-name.js';
