import './polyfills.js';

/**
 * The libp2p modules, loaded with import(). They are ESM; this repo's TypeScript compiles to
 * CommonJS, and a static import becomes require(): two packages (noise, yamux) export only an
 * `import` condition, and under tsx even require(esm) of the others fails on their nested
 * dependencies. import() works in CommonJS, in ESM and in the esbuild bundle (which inlines it),
 * so every runtime use of libp2p goes through here; elsewhere only `import type` is used.
 */
async function importStack() {
  const [libp2p, noise, yamux, websockets, pnet, identify, ping, gossipsub, gossipScore, mdns, utils, crypto, peerId, multiaddr, relay, dcutr, upnp] =
    await Promise.all([
      import('libp2p'),
      import('@chainsafe/libp2p-noise'),
      import('@chainsafe/libp2p-yamux'),
      import('@libp2p/websockets'),
      import('@libp2p/pnet'),
      import('@libp2p/identify'),
      import('@libp2p/ping'),
      import('@libp2p/gossipsub'),
      import('@libp2p/gossipsub/score'),
      import('@libp2p/mdns'),
      import('@libp2p/utils'),
      import('@libp2p/crypto/keys'),
      import('@libp2p/peer-id'),
      import('@multiformats/multiaddr'),
      import('@libp2p/circuit-relay-v2'),
      import('@libp2p/dcutr'),
      import('@libp2p/upnp-nat'),
    ]);
  return {
    createLibp2p: libp2p.createLibp2p,
    noise: noise.noise,
    yamux: yamux.yamux,
    webSockets: websockets.webSockets,
    preSharedKey: pnet.preSharedKey,
    identify: identify.identify,
    ping: ping.ping,
    gossipsub: gossipsub.gossipsub,
    TopicValidatorResult: gossipsub.TopicValidatorResult,
    createTopicScoreParams: gossipScore.createTopicScoreParams,
    mdns: mdns.mdns,
    lpStream: utils.lpStream,
    byteStream: utils.byteStream,
    generateKeyPair: crypto.generateKeyPair,
    privateKeyFromProtobuf: crypto.privateKeyFromProtobuf,
    privateKeyToProtobuf: crypto.privateKeyToProtobuf,
    peerIdFromPrivateKey: peerId.peerIdFromPrivateKey,
    peerIdFromString: peerId.peerIdFromString,
    multiaddr: multiaddr.multiaddr,
    circuitRelayTransport: relay.circuitRelayTransport,
    circuitRelayServer: relay.circuitRelayServer,
    dcutr: dcutr.dcutr,
    uPnPNAT: upnp.uPnPNAT,
  };
}

export type Stack = Awaited<ReturnType<typeof importStack>>;

let loading: Promise<Stack> | undefined;
/** Loads the libp2p modules once per process. */
export function loadStack(): Promise<Stack> {
  return (loading ??= importStack());
}
