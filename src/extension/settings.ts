/** The extension's settings, read through a getter so this stays pure and testable. */
import { displayNameOr } from '../core/display-name.js';
import { DEFAULT_LISTEN } from '../engine/defaults.js';
import type { Phase } from './status.js';

export const SECTION = 'sharedNotes';

export interface PeerSettings {
  readonly displayName: string;
  readonly listen: string[];
  readonly bootstrap: string[];
  readonly mdns: boolean;
  /** Always-on peers the person added (Add Always-on Peer): dialed at start, marked in the Peers view. */
  readonly alwaysOn: string[];
}

export type SettingGetter = (key: string) => unknown;

/** Ill-typed values (a hand-edited settings.json) fall back to the defaults instead of failing. */
export function readSettings(get: SettingGetter, fallbackName: string): PeerSettings {
  const listen = strings(get('listenAddresses'));
  return {
    displayName: displayNameOr(typeof get('displayName') === 'string' ? (get('displayName') as string) : undefined, fallbackName),
    listen: listen.length > 0 ? listen : [...DEFAULT_LISTEN],
    bootstrap: strings(get('bootstrapPeers')),
    mdns: typeof get('mdns') === 'boolean' ? (get('mdns') as boolean) : true,
    alwaysOn: strings(get('alwaysOnPeers')),
  };
}

/** What a configuration change asks of the node. */
export type SettingsAction = 'restart' | 'rename' | 'none';

/**
 * Decides what to do when the settings may have changed, from what the node was last started
 * with (`applied`) and what the settings say now. A running node restarts when a network setting
 * really changed (the restart also applies the name), and is renamed live when only the name did.
 * A node that failed to start tries again with new network settings (a bad listen address fixed).
 * Without a space, or while stopped, nothing runs: the next start reads the settings anyway.
 * Settings events come in bursts and for values that end up equal: comparing values, not events,
 * makes a burst cost one restart at most.
 */
export function settingsAction(phase: Phase, applied: PeerSettings | undefined, next: PeerSettings): SettingsAction {
  if (phase !== 'running' && phase !== 'error') return 'none';
  if (!applied || networkChanged(applied, next)) return 'restart';
  return phase === 'running' && applied.displayName !== next.displayName ? 'rename' : 'none';
}

function networkChanged(a: PeerSettings, b: PeerSettings): boolean {
  return a.mdns !== b.mdns || !sameList(a.listen, b.listen) || !sameList(a.bootstrap, b.bootstrap) || !sameList(a.alwaysOn, b.alwaysOn);
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((v, i) => v === b[i]);

function strings(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.filter((v): v is string => typeof v === 'string').map((v) => v.trim()).filter((v) => v !== '');
}
