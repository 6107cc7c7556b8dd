/**
 * Always-on peers the person added (Shared Notes: Add Always-on Peer): what they may paste (an
 * address ending in /p2p/<peer id>, or an invite of this space), and which peers are always-on.
 * Pure; the command stores the addresses in the `sharedNotes.alwaysOnPeers` setting, and the node
 * dials them at every start like bootstrap peers.
 */
import { InvalidInputError, SharedNotesError } from '../core/errors.js';
import { decodeInvite } from '../core/invite.js';

/** `/ip4|ip6|dns…/…/tcp/N/ws|wss[/p2p/<relay>/p2p-circuit]/p2p/<id>`: what our transports dial. */
const ADDRESS = /^\/(ip4|ip6|dns|dns4|dns6)\/[^/\s]+\/tcp\/\d{1,5}\/(ws|wss)(\/p2p\/[1-9A-HJ-NP-Za-km-z]{46,60}\/p2p-circuit)?\/p2p\/([1-9A-HJ-NP-Za-km-z]{46,60})$/;

/** The peer id an address names (its last /p2p/ part), or undefined. */
export function peerIdOfAddress(address: string): string | undefined {
  return ADDRESS.exec(address.trim())?.[4];
}

/**
 * The addresses to keep for what was pasted: one address, or every address of an invite for this
 * space. Throws InvalidInputError saying what is wrong.
 */
export function alwaysOnAddresses(input: string, spaceId: string | undefined): string[] {
  const text = input.trim();
  if (text === '') throw new InvalidInputError('Paste the always-on peer\'s address (/dns4/…/tcp/4001/ws/p2p/12D3KooW…) or its invite (sn1-…).');
  if (text.startsWith('sn1-')) {
    const invite = decodeInvite(text);
    if (spaceId !== undefined && invite.space.id !== spaceId) {
      throw new InvalidInputError(`This invite is for the space "${invite.space.name}", not the one open here; use Join Space for another space.`);
    }
    const addresses = invite.addresses.filter((a) => peerIdOfAddress(a) !== undefined);
    if (addresses.length === 0) throw new InvalidInputError('This invite lists no address to dial; ask for the always-on peer\'s own invite.');
    return addresses;
  }
  if (peerIdOfAddress(text) === undefined) {
    throw new InvalidInputError('Not an address this extension can dial: expected /ip4/…, /dns4/… or /ip6/… then /tcp/PORT/ws (or wss) and /p2p/<peer id>.');
  }
  return [text];
}

/** Validation for the input box: the message to show, or undefined when the value is fine. */
export function validateAlwaysOn(input: string, spaceId: string | undefined): string | undefined {
  try {
    alwaysOnAddresses(input, spaceId);
    return undefined;
  } catch (err) {
    if (err instanceof SharedNotesError) return err.message;
    throw err;
  }
}

/** The stored list with `added` appended, without repeats. */
export function withAlwaysOn(stored: readonly string[], added: readonly string[]): string[] {
  return [...new Set([...stored, ...added])];
}

/** Peer ids of the always-on peers (for the Peers view). */
export function alwaysOnIds(addresses: readonly string[]): Set<string> {
  return new Set(addresses.map(peerIdOfAddress).filter((id): id is string => id !== undefined));
}
