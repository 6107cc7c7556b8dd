/**
 * Two homes behind separate NAT routers and a public always-on peer, built from Linux network
 * namespaces (root only). Nothing here touches the host's interfaces: the "internet"
 * 7.7.7.0/24 is a bridge inside its own namespace, and every namespace is deleted by down().
 *
 *   home A 10.1.0.2 -- router A [10.1.0.1 | 7.7.7.2] --\
 *                                                      wan (bridge) -- public 7.7.7.10
 *   home B 10.2.0.2 -- router B [10.2.0.1 | 7.7.7.3] --/
 *
 * Routers MASQUERADE what leaves the home and, like home routers, drop unsolicited inbound
 * packets. 7.7.7.0/24 is deliberately not a private or documentation range: libp2p treats those
 * as private and DCUtR / identify would drop them.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const PUBLIC_IP = '7.7.7.10';
export const ROUTER_A_IP = '7.7.7.2';
export const ROUTER_B_IP = '7.7.7.3';

/** Why the namespace tests cannot run here, or undefined when they can (installing iptables if missing). */
export function natTestsUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'network namespaces and iptables need root (CI runs as root)';
  if (spawnSync('ip', ['-V']).status !== 0) return 'the `ip` command (iproute2) is missing';
  if (spawnSync('iptables', ['-V']).status !== 0) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'iptables'], { env, stdio: 'ignore' });
    if (spawnSync('iptables', ['-V']).status !== 0) {
      spawnSync('apt-get', ['update'], { env, stdio: 'ignore' });
      spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'iptables'], { env, stdio: 'ignore' });
    }
    if (spawnSync('iptables', ['-V']).status !== 0) return 'iptables is missing and apt-get could not install it';
  }
  const probe = `snprobe${process.pid}`;
  if (spawnSync('ip', ['netns', 'add', probe]).status !== 0) return 'cannot create network namespaces here (no CAP_SYS_ADMIN?)';
  spawnSync('ip', ['netns', 'del', probe]);
  return undefined;
}

export class NatTopology {
  readonly wan: string;
  readonly public: string;
  readonly routerA: string;
  readonly homeA: string;
  readonly routerB: string;
  readonly homeB: string;
  private forwards: string[][] = [];
  private upnpd: ChildProcess | undefined;

  constructor(tag = String(process.pid % 100000)) {
    this.wan = `snw${tag}`;
    this.public = `snp${tag}`;
    this.routerA = `snra${tag}`;
    this.homeA = `snha${tag}`;
    this.routerB = `snrb${tag}`;
    this.homeB = `snhb${tag}`;
  }

  private get all(): string[] {
    return [this.wan, this.public, this.routerA, this.homeA, this.routerB, this.homeB];
  }

  /** `ip netns exec NS` prefix for spawning a process inside a namespace. */
  exec(ns: string): string[] {
    return ['ip', 'netns', 'exec', ns];
  }

  /** Runs a command inside a namespace; throws with its stderr on failure. */
  run(ns: string, ...command: string[]): string {
    return execFileSync('ip', ['netns', 'exec', ns, ...command], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  up(): void {
    try {
      for (const ns of this.all) {
        execFileSync('ip', ['netns', 'add', ns]);
        this.run(ns, 'ip', 'link', 'set', 'lo', 'up');
      }
      this.run(this.wan, 'ip', 'link', 'add', 'br0', 'type', 'bridge');
      this.run(this.wan, 'ip', 'link', 'set', 'br0', 'up');
      // veth pairs are created directly inside their namespaces: never on the host.
      const veth = (a: string, aName: string, b: string, bName: string) =>
        execFileSync('ip', ['link', 'add', aName, 'netns', a, 'type', 'veth', 'peer', 'name', bName, 'netns', b]);
      veth(this.public, 'eth0', this.wan, 'wp');
      veth(this.routerA, 'wan0', this.wan, 'wa');
      veth(this.routerB, 'wan0', this.wan, 'wb');
      for (const port of ['wp', 'wa', 'wb']) {
        this.run(this.wan, 'ip', 'link', 'set', port, 'master', 'br0');
        this.run(this.wan, 'ip', 'link', 'set', port, 'up');
      }
      this.run(this.public, 'ip', 'addr', 'add', `${PUBLIC_IP}/24`, 'dev', 'eth0');
      this.run(this.public, 'ip', 'link', 'set', 'eth0', 'up');
      for (const [router, home, net, wanIp] of [
        [this.routerA, this.homeA, '1', ROUTER_A_IP],
        [this.routerB, this.homeB, '2', ROUTER_B_IP],
      ] as const) {
        veth(router, 'lan0', home, 'eth0');
        this.run(router, 'ip', 'addr', 'add', `${wanIp}/24`, 'dev', 'wan0');
        this.run(router, 'ip', 'link', 'set', 'wan0', 'up');
        this.run(router, 'ip', 'addr', 'add', `10.${net}.0.1/24`, 'dev', 'lan0');
        this.run(router, 'ip', 'link', 'set', 'lan0', 'up');
        this.run(home, 'ip', 'addr', 'add', `10.${net}.0.2/24`, 'dev', 'eth0');
        this.run(home, 'ip', 'link', 'set', 'eth0', 'up');
        this.run(home, 'ip', 'route', 'add', 'default', 'via', `10.${net}.0.1`);
        this.run(router, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
        this.run(router, 'iptables', '-t', 'nat', '-A', 'POSTROUTING', '-s', `10.${net}.0.0/24`, '-o', 'wan0', '-j', 'MASQUERADE');
        this.run(router, 'iptables', '-P', 'FORWARD', 'DROP');
        this.run(router, 'iptables', '-A', 'FORWARD', '-i', 'lan0', '-o', 'wan0', '-j', 'ACCEPT');
        this.run(router, 'iptables', '-A', 'FORWARD', '-i', 'wan0', '-o', 'lan0', '-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'ACCEPT');
        this.run(router, 'iptables', '-A', 'INPUT', '-i', 'wan0', '-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'ACCEPT');
        this.run(router, 'iptables', '-A', 'INPUT', '-i', 'wan0', '-j', 'DROP');
      }
    } catch (err) {
      this.down();
      throw err;
    }
  }

  /** A port forward on home B's router (what a user sets up, or what UPnP would map). */
  forwardB(port: number): void {
    const rules = [
      ['-t', 'nat', '-A', 'PREROUTING', '-i', 'wan0', '-p', 'tcp', '--dport', String(port), '-j', 'DNAT', '--to-destination', `10.2.0.2:${port}`],
      ['-A', 'FORWARD', '-i', 'wan0', '-o', 'lan0', '-p', 'tcp', '-d', '10.2.0.2', '--dport', String(port), '-j', 'ACCEPT'],
    ];
    for (const rule of rules) this.run(this.routerB, 'iptables', ...rule);
    this.forwards.push(...rules);
  }

  /**
   * Makes router B a UPnP IGD / NAT-PMP router: miniupnpd (nftables backend) on its LAN side,
   * allowed to map ports for home B; forwarded (DNATed) connections pass its firewall. Returns
   * why it cannot, or undefined. Installs miniupnpd with apt-get when missing.
   */
  startUpnpB(configDir: string): string | undefined {
    if (spawnSync('miniupnpd', ['--version']).error) {
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
      spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'miniupnpd', 'nftables'], { env, stdio: 'ignore' });
      if (spawnSync('miniupnpd', ['--version']).error) return 'miniupnpd is missing and apt-get could not install it';
    }
    if (spawnSync('nft', ['--version']).error) return 'nft (nftables) is missing';
    // Debian's nft_init.sh sources the iptables helper and fails; create miniupnpd's chains here.
    const tables = `table inet miniupnpd {
  chain forward { type filter hook forward priority 0; policy accept; jump miniupnpd; }
  chain miniupnpd { }
  chain prerouting { type nat hook prerouting priority -100; policy accept; jump prerouting_miniupnpd; }
  chain postrouting { type nat hook postrouting priority 100; policy accept; jump postrouting_miniupnpd; }
  chain prerouting_miniupnpd { }
  chain postrouting_miniupnpd { }
}
`;
    writeFileSync(join(configDir, 'miniupnpd.nft'), tables);
    writeFileSync(
      join(configDir, 'miniupnpd.conf'),
      ['ext_ifname=wan0', 'listening_ip=lan0', 'http_port=5000', 'enable_natpmp=yes', 'enable_upnp=yes', 'secure_mode=yes', 'system_uptime=yes',
        'uuid=408ad088-521f-464f-a1da-9f0d9df72277', 'upnp_table_name=miniupnpd', 'upnp_nat_table_name=miniupnpd',
        'allow 1024-65535 10.2.0.0/24 1024-65535', 'deny 0-65535 0.0.0.0/0 0-65535', ''].join('\n'),
    );
    this.run(this.routerB, 'nft', '-f', join(configDir, 'miniupnpd.nft'));
    this.run(this.routerB, 'iptables', '-A', 'FORWARD', '-i', 'wan0', '-o', 'lan0', '-m', 'conntrack', '--ctstate', 'DNAT', '-j', 'ACCEPT');
    // SSDP discovery is multicast (239.255.255.250): route it onto the home's link.
    this.run(this.homeB, 'ip', 'route', 'add', '239.0.0.0/8', 'dev', 'eth0');
    this.run(this.routerB, 'ip', 'route', 'add', '239.0.0.0/8', 'dev', 'lan0');
    this.upnpd = spawn('ip', ['netns', 'exec', this.routerB, 'miniupnpd', '-f', join(configDir, 'miniupnpd.conf'), '-d'], { stdio: 'ignore' });
    return undefined;
  }

  /** TCP connections established in a namespace, as "local peer" pairs (`ss`). */
  established(ns: string): string[] {
    return this.run(ns, 'ss', '-Htn', 'state', 'established')
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((cols) => cols.length >= 4)
      .map((cols) => `${cols[2]} ${cols[3]}`);
  }

  /** Deletes every namespace (their interfaces, routes and iptables rules go with them). */
  down(): void {
    this.upnpd?.kill('SIGKILL');
    this.upnpd = undefined;
    for (const ns of this.all) spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    this.forwards = [];
  }

  /** Namespaces of this topology still present (for the cleanup assertion). */
  leftovers(): string[] {
    const list = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
    const names = new Set(list.split('\n').map((l) => l.split(' ')[0]));
    return this.all.filter((ns) => names.has(ns));
  }
}
