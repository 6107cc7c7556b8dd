/** The extension's settings, read through a getter so this stays pure and testable. */

export const SECTION = 'sharedNotes';
/** Settings whose change needs the node restarted (the display name is applied live). */
export const RESTART_SETTINGS = ['listenAddresses', 'bootstrapPeers', 'mdns'].map((k) => `${SECTION}.${k}`);
export const DISPLAY_NAME_SETTING = `${SECTION}.displayName`;
export const DEFAULT_LISTEN = ['/ip4/0.0.0.0/tcp/0/ws'];

export interface PeerSettings {
  readonly displayName: string;
  readonly listen: string[];
  readonly bootstrap: string[];
  readonly mdns: boolean;
}

export type SettingGetter = (key: string) => unknown;

/** Ill-typed values (a hand-edited settings.json) fall back to the defaults instead of failing. */
export function readSettings(get: SettingGetter, fallbackName: string): PeerSettings {
  const name = typeof get('displayName') === 'string' ? (get('displayName') as string).trim() : '';
  const listen = strings(get('listenAddresses'));
  return {
    displayName: (name || fallbackName || 'Anonymous').slice(0, 100),
    listen: listen.length > 0 ? listen : [...DEFAULT_LISTEN],
    bootstrap: strings(get('bootstrapPeers')),
    mdns: typeof get('mdns') === 'boolean' ? (get('mdns') as boolean) : true,
  };
}

function strings(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.filter((v): v is string => typeof v === 'string').map((v) => v.trim()).filter((v) => v !== '');
}
