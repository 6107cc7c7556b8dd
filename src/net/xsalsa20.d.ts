/** The part of xsalsa20 1.2 (the cipher of @libp2p/pnet, which ships no types) that pnet-cipher.ts uses. */
declare module 'xsalsa20' {
  interface XSalsa20Stream {
    update(input: Uint8Array, output?: Uint8Array): Uint8Array;
    finalize(): void;
  }
  interface XSalsa20Constructor {
    (nonce: Uint8Array, key: Uint8Array): XSalsa20Stream;
    new (nonce: Uint8Array, key: Uint8Array): XSalsa20Stream;
    readonly prototype: XSalsa20Stream;
  }
  const XSalsa20: XSalsa20Constructor;
  export = XSalsa20;
}
