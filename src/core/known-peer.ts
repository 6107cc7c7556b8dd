/** A peer remembered across restarts (a space's peers.json): where to redial it and who it said it was. */
export interface KnownPeer {
  readonly peerId: string;
  /** Dialable multiaddrs without the trailing /p2p/<id>. */
  readonly addrs: string[];
  /** The display name it last announced, shown until it says hello again. */
  readonly name?: string;
  /** The device id it last announced (the author id on its entries). */
  readonly device?: string;
  /** When we were last connected to it (ms since the epoch); absent if never. */
  readonly lastSeen?: number;
}
