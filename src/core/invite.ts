import { sha256 } from '@noble/hashes/sha2.js';
import { cleanDisplayName } from './display-name.js';
import { InvalidInviteError } from './errors.js';
import { randomHex, type SpaceId } from './ids.js';

/** A space: what a device needs to take part. The key never enters any log. */
export interface Space {
  readonly id: SpaceId;
  readonly name: string;
  /** 32-byte secret; only holders can connect (it derives the private-network key). */
  readonly key: Uint8Array;
}

export interface Invite {
  readonly space: Space;
  /**
   * Dialable multiaddrs (each ending in /p2p/<peer id>) of members to join through: the
   * inviter's, then the space's always-on peers and recently seen members (inviteAddresses).
   * Invites of earlier versions list only the inviter's; they parse the same way.
   */
  readonly addresses: string[];
}

/** A member an invite may list: its addresses (with /p2p/<id>), newest last. */
export interface InviteMember {
  readonly addrs: readonly string[];
  readonly connected: boolean;
  /** When this device was last connected to it. */
  readonly lastSeen?: number;
}

/** Addresses an invite lists at most (decodeInvite keeps 32), other members listed, and addresses per member. */
export const MAX_INVITE_ADDRESSES = 16;
export const MAX_INVITE_MEMBERS = 5;
export const MAX_INVITE_SELF_ADDRESSES = 8;
export const INVITE_ADDRESSES_PER_MEMBER = 2;

/**
 * What an invite lists, so joining works while any of them is online: this device's addresses
 * (up to MAX_INVITE_SELF_ADDRESSES), then the always-on peers', then up to MAX_INVITE_MEMBERS other members (connected
 * ones first, then the most recently seen), their newest addresses each; no duplicates, at
 * most MAX_INVITE_ADDRESSES in all.
 */
export function inviteAddresses(self: readonly string[], members: readonly InviteMember[], alwaysOn: readonly string[] = []): string[] {
  const ranked = members
    .filter((m) => m.connected || m.lastSeen !== undefined)
    .sort((a, b) => Number(b.connected) - Number(a.connected) || (b.lastSeen ?? 0) - (a.lastSeen ?? 0))
    .slice(0, MAX_INVITE_MEMBERS);
  const all = [...self.slice(0, MAX_INVITE_SELF_ADDRESSES), ...alwaysOn, ...ranked.flatMap((m) => m.addrs.slice(-INVITE_ADDRESSES_PER_MEMBER))];
  return [...new Set(all)].slice(0, MAX_INVITE_ADDRESSES);
}

const PREFIX = 'sn1-';
const MAX_INVITE_LENGTH = 16 * 1024;
const MAX_SPACE_NAME = 100;

export function newSpace(name: string): Space {
  return { id: randomHex(16) as SpaceId, name: checkSpaceName(name), key: crypto.getRandomValues(new Uint8Array(32)) };
}

/** A space name is one line without control or bidi characters (an invite's is peer-written): cleaned like a display name. */
export function checkSpaceName(name: string): string {
  if (name.trim().length > MAX_SPACE_NAME) throw new InvalidInviteError(`a space name has at most ${MAX_SPACE_NAME} characters`);
  const trimmed = cleanDisplayName(name);
  if (trimmed === '') throw new InvalidInviteError('a space needs a name');
  if (trimmed.length > MAX_SPACE_NAME) throw new InvalidInviteError(`a space name has at most ${MAX_SPACE_NAME} characters`);
  return trimmed;
}

/**
 * `sn1-<base64url(payload)>.<base64url(sha256(payload)[0..6])>`: one copy-pasteable string; the
 * version is in the prefix, the checksum catches a truncated or mistyped paste.
 */
export function encodeInvite(invite: Invite): string {
  const payload = new TextEncoder().encode(
    JSON.stringify({ i: invite.space.id, n: invite.space.name, k: toBase64Url(invite.space.key), a: invite.addresses }),
  );
  return `${PREFIX}${toBase64Url(payload)}.${toBase64Url(sha256(payload).slice(0, 6))}`;
}

export function decodeInvite(text: string): Invite {
  const code = text.trim().replace(/\s+/g, '');
  if (code.length > MAX_INVITE_LENGTH) throw new InvalidInviteError('this invite is too long to be real');
  if (!code.startsWith('sn')) throw new InvalidInviteError('this is not a Shared Notes invite (it should start with "sn1-")');
  if (!code.startsWith(PREFIX)) throw new InvalidInviteError(`this invite is from a newer version of Shared Notes (${code.slice(0, 4)})`);
  const [body, check, extra] = code.slice(PREFIX.length).split('.');
  if (!body || !check || extra !== undefined) throw new InvalidInviteError('this invite is incomplete; copy the whole code');
  const payload = fromBase64Url(body);
  // Base64's last character can carry unused bits: insist on the canonical form so every change is caught.
  if (toBase64Url(payload) !== body) throw new InvalidInviteError('this invite is damaged; copy it again');
  if (toBase64Url(sha256(payload).slice(0, 6)) !== check) throw new InvalidInviteError('this invite is damaged (checksum mismatch); copy it again');
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(payload));
  } catch (err) {
    throw new InvalidInviteError('this invite does not decode', { cause: err });
  }
  const r = raw as Record<string, unknown>;
  if (typeof r.i !== 'string' || !/^[0-9a-f]{32}$/.test(r.i)) throw new InvalidInviteError('this invite has no valid space id');
  if (typeof r.n !== 'string') throw new InvalidInviteError('this invite has no space name');
  if (typeof r.k !== 'string') throw new InvalidInviteError('this invite has no key');
  const key = fromBase64Url(r.k);
  if (key.length !== 32) throw new InvalidInviteError('this invite has a key of the wrong size');
  const addresses = Array.isArray(r.a) ? r.a.filter((a): a is string => typeof a === 'string' && a.length < 1000).slice(0, 32) : [];
  return { space: { id: r.i as SpaceId, name: checkSpaceName(r.n), key }, addresses };
}

export function toBase64Url(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new InvalidInviteError('this invite has characters that do not belong in it');
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  try {
    return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  } catch (err) {
    throw new InvalidInviteError('this invite does not decode', { cause: err });
  }
}
