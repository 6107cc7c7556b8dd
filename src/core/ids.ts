import { ENTRY_ID_PATTERN } from './constants.js';
import { InvalidInputError } from './errors.js';

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

export type EntryId = Brand<string, 'EntryId'>;
export type DeviceId = Brand<string, 'DeviceId'>;
export type SpaceId = Brand<string, 'SpaceId'>;

export function randomHex(bytes: number): string {
  const buf = crypto.getRandomValues(new Uint8Array(bytes));
  let out = '';
  for (const b of buf) out += b.toString(16).padStart(2, '0');
  return out;
}

export const newEntryId = (): EntryId => randomHex(16) as EntryId;
export const newDeviceId = (): DeviceId => randomHex(8) as DeviceId;
export const newSpaceId = (): SpaceId => randomHex(16) as SpaceId;

export function isEntryId(value: unknown): value is EntryId {
  return typeof value === 'string' && ENTRY_ID_PATTERN.test(value);
}

/** Validates user input; accepts a unique prefix elsewhere (see NoteLog.resolveId). */
export function parseEntryId(value: string): EntryId {
  const id = value.trim().toLowerCase();
  if (!isEntryId(id)) throw new InvalidInputError(`"${value}" is not an entry id (32 hex digits)`);
  return id;
}
