import { createServer } from 'node:net';
import { loadStack } from './stack.js';

/** The listen addresses to use and the port they share (undefined when none asked for "any port"). */
export interface StableListen {
  listen: string[];
  port: number | undefined;
}

/**
 * Gives every listen address with port 0 ("any free port") the port stored for the space, so a
 * peer's addresses stay valid across restarts (invites, other members' peer books). A port is
 * chosen once: the stored one when it is free on every host asked for, else a new free one (the
 * caller stores it). Addresses with a fixed port are left as they are.
 */
export async function stableListen(listen: readonly string[], stored: number | undefined): Promise<StableListen> {
  const { multiaddr } = await loadStack();
  const anyPort = listen.map((text) => {
    const tcp = multiaddr(text).getComponents().find((c) => c.name === 'tcp');
    const host = multiaddr(text).getComponents().find((c) => c.name === 'ip4' || c.name === 'ip6')?.value;
    return tcp?.value === '0' && host !== undefined ? host : undefined;
  });
  const hosts = anyPort.filter((h): h is string => h !== undefined);
  if (hosts.length === 0) return { listen: [...listen], port: undefined };
  let port = stored !== undefined && (await freeOnAll(hosts, stored)) ? stored : undefined;
  for (let attempt = 0; port === undefined && attempt < 5; attempt++) {
    const candidate = await freePort(hosts[0] as string);
    if (await freeOnAll(hosts, candidate)) port = candidate;
  }
  if (port === undefined) return { listen: [...listen], port: undefined }; // leave it to the OS
  return { listen: listen.map((text, i) => (anyPort[i] !== undefined ? text.replace(/\/tcp\/0(?=\/|$)/, `/tcp/${port}`) : text)), port };
}

async function freeOnAll(hosts: readonly string[], port: number): Promise<boolean> {
  for (const host of hosts) if (!(await canListen(host, port))) return false;
  return true;
}

function canListen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
