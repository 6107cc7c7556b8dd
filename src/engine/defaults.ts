/** Defaults both front ends show and fall back to, defined once (light: no libp2p, no disk). */
export { DEFAULT_LISTEN } from '../net/constants.js';
export { DEFAULT_DISPLAY_NAME } from '../core/display-name.js';
