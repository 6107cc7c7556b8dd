/**
 * Validation of what people type into input boxes: each returns the message to show, or undefined
 * when the value is fine (the contract of `InputBoxOptions.validateInput`). Pure.
 */
import { MAX_TITLE_LENGTH } from '../core/constants.js';
import { SharedNotesError } from '../core/errors.js';
import { checkSpaceName, decodeInvite } from '../core/invite.js';

export function validateTitle(value: string, what = 'title'): string | undefined {
  if (value.trim() === '') return `The ${what} must not be empty.`;
  if (value.length > MAX_TITLE_LENGTH) return `The ${what} has ${value.length} characters; the limit is ${MAX_TITLE_LENGTH}.`;
  return undefined;
}

export function validateSpaceName(value: string): string | undefined {
  return messageOf(() => checkSpaceName(value));
}

export function validateInvite(value: string): string | undefined {
  if (value.trim() === '') return 'Paste the invite code you were given (it starts with "sn1-").';
  return messageOf(() => decodeInvite(value));
}

/** What an invite is for, to show before joining: "Kitchen (2 addresses)". */
export function describeInvite(value: string): string {
  const invite = decodeInvite(value);
  const n = invite.addresses.length;
  return `${invite.space.name} (${n === 0 ? 'no addresses: peers are found on the local network' : `${n} address${n === 1 ? '' : 'es'}`})`;
}

/**
 * A one-line input box cannot hold lines: ingredients are typed separated by ";" (or ",") and
 * stored one per line as a markdown list; instructions take "\n" or "|" for line breaks.
 */
export function ingredientsFromInput(value: string): string {
  return value
    .split(/[;,]/)
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => `- ${s}`)
    .join('\n');
}

export function linesFromInput(value: string): string {
  return value
    .split(/\\n|\|/)
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .join('\n');
}

/** A display name for this device's edits; empty means "use the account name". */
export function validateDisplayName(value: string): string | undefined {
  if (value.length > 100) return `A display name has at most 100 characters (this one has ${value.length}).`;
  return undefined;
}

function messageOf(check: () => unknown): string | undefined {
  try {
    check();
    return undefined;
  } catch (err) {
    if (err instanceof SharedNotesError) return capitalize(err.message) + '.';
    throw err;
  }
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
