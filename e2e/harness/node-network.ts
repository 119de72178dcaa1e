import { spawnSync } from 'child_process';
import { run } from './processes';

/**
 * The addresses of one real node, unique on the machine (index `i` in 0-255): a /30 link between the
 * host and the node's network namespace, the pods' /24 and the Services' /24. All private, all routed
 * to the namespace: nothing the node does can leave the machine.
 */
export interface NodeAddresses {
  /** The host's end of the link, where the API server listens. */
  readonly host: string;
  /** The node's end of the link: its InternalIP. */
  readonly node: string;
  /** The pods' addresses (the CNI bridge's subnet). */
  readonly podCidr: string;
  /** The Services' cluster IPs. */
  readonly serviceCidr: string;
  /** The `kubernetes` Service. */
  readonly apiServiceIp: string;
  /** The cluster DNS Service. */
  readonly dnsServiceIp: string;
}

function addressesOf(i: number): NodeAddresses {
  return {
    host: `10.201.${i}.1`,
    node: `10.201.${i}.2`,
    podCidr: `10.202.${i}.0/24`,
    serviceCidr: `10.203.${i}.0/24`,
    apiServiceIp: `10.203.${i}.1`,
    dnsServiceIp: `10.203.${i}.10`,
  };
}

/** Addresses outside the machine that a connection from the node must fail to reach: the host's gateway, and a public address of each family. */
function outsideAddresses(): string[] {
  const gateway = /default via (\S+)/.exec(run('ip', ['-4', 'route', 'show', 'default']))?.[1];
  return [...(gateway ? [gateway] : []), '8.8.8.8', '2001:4860:4860::8888'];
}

/** What a connection from inside the node's namespace to an address outside the machine ended with. */
export interface ConnectAttempt {
  readonly address: string;
  /** The error code, e.g. ENETUNREACH: no route, so no packet was sent; 'connected' would be a leak. */
  readonly result: string;
}

/**
 * The real node's network namespace: loopback, one veth to the host with private addresses, and
 * (once containerd's CNI makes it) the pods' bridge; no default route, of either family. The host
 * routes the node's pod and Service ranges into the namespace, so that no packet to a pod or a
 * Service follows the host's default route either (e.g. the API server proxying to a pod).
 */
export class NodeNetwork {
  /** Creates the namespace and its link at the first free index; the name and addresses are unique on the machine. */
  public static create(): NodeNetwork {
    for (let attempt = 0; attempt < 256; attempt++) {
      const i = (process.pid + attempt) % 256;
      const network = new NodeNetwork(i);
      if (network.inUse()) continue;
      if (spawnSync('ip', ['netns', 'add', network.name]).status !== 0) continue; // taken meanwhile by another run
      network.link();
      return network;
    }
    throw new Error('no free address range 10.201-203.<i>.0 for a node namespace on this machine');
  }

  /** The namespace `name` as it is, e.g. one a killed run left behind. */
  public static existing(name: string): NodeNetwork {
    return new NodeNetwork(Number(/\d+$/.exec(name)?.[0]));
  }

  /** The namespace's name (`ip netns`), and its file for nsenter. */
  public readonly name: string;
  public readonly path: string;
  public readonly addresses: NodeAddresses;
  /** The host's end of the veth. */
  public readonly hostDevice: string;

  private constructor(index: number) {
    this.name = `edgefleet-e2e-${index}`;
    this.path = `/run/netns/${this.name}`;
    this.hostDevice = `efe2e-${index}`;
    this.addresses = addressesOf(index);
  }

  /** Runs a command in the namespace (only its network: files and mounts are the host's). */
  public run(command: string, args: string[]): string {
    return run('nsenter', [`--net=${this.path}`, '--', command, ...args]);
  }

  /** The namespace's routes of both families, one a line. */
  public routes(): string[] {
    return [...run('ip', ['-n', this.name, '-4', 'route']).split('\n'), ...run('ip', ['-n', this.name, '-6', 'route']).split('\n')].filter((l) =>
      l.trim(),
    );
  }

  /** The host's route to an address of the node's pod range and of its Service range, e.g. `10.202.7.5 via 10.201.7.2 dev efe2e-7 src 10.201.7.1`. */
  public hostRoutesIntoNode(): string[] {
    return [this.addresses.podCidr, this.addresses.serviceCidr].map((cidr) =>
      run('ip', ['route', 'get', cidr.replace(/0\/24$/, '5')])
        .split('\n')[0]
        .trim(),
    );
  }

  /** Tries a TCP connection to each address outside the machine from inside the namespace; each must fail with ENETUNREACH. */
  public connectOutside(): ConnectAttempt[] {
    const script = `const net = require('net');
      const address = process.argv[1];
      const socket = net.connect({ host: address, port: 443, timeout: 3000 });
      socket.on('connect', () => { console.log('connected'); socket.destroy(); });
      socket.on('timeout', () => { console.log('ETIMEDOUT'); socket.destroy(); });
      socket.on('error', (e) => console.log(e.code));`;
    return outsideAddresses().map((address) => ({ address, result: this.run(process.execPath, ['-e', script, address]).trim() }));
  }

  /**
   * Throws unless the namespace has no default route of either family, every connection to an
   * address outside the machine fails with ENETUNREACH, and the host routes the pod and Service
   * ranges into the namespace. Run before any pod starts.
   */
  public assertIsolated(): void {
    const problems: string[] = [];
    const defaults = this.routes().filter((r) => r.startsWith('default'));
    if (defaults.length > 0) problems.push(`default routes in the node's namespace: ${defaults.join('; ')}`);
    for (const { address, result } of this.connectOutside()) {
      if (result !== 'ENETUNREACH') problems.push(`a connection from the node to ${address}: ${result}, not ENETUNREACH`);
    }
    for (const route of this.hostRoutesIntoNode()) {
      if (!route.includes(`dev ${this.hostDevice}`)) problems.push(`the host routes "${route}", not into the node's namespace`);
    }
    if (problems.length > 0) throw new Error(`the node's network is not closed:\n${problems.join('\n')}`);
  }

  /** Flushes the namespace's packet filter and removes the pods' bridge: what a reboot of the node resets. */
  public resetAsAfterReboot(): void {
    for (const iptables of ['iptables', 'ip6tables']) {
      for (const table of ['filter', 'nat', 'mangle', 'raw']) {
        this.run(iptables, ['-t', table, '-F']);
        this.run(iptables, ['-t', table, '-X']);
      }
    }
    spawnSync('ip', ['-n', this.name, 'link', 'delete', 'cni0']);
  }

  /** Deletes the namespace, and with it the veth and the host's routes into it. */
  public delete(): void {
    spawnSync('ip', ['netns', 'delete', this.name]);
  }

  private inUse(): boolean {
    const routes = run('ip', ['-4', 'route']);
    const taken = [this.addresses.host, this.addresses.podCidr, this.addresses.serviceCidr].some((a) =>
      routes.includes(a.replace(/\.\d+(\/\d+)?$/, '.')),
    );
    return (
      taken ||
      run('ip', ['netns', 'list'])
        .split('\n')
        .some((l) => l.split(' ')[0] === this.name)
    );
  }

  private link(): void {
    const { host, node, podCidr, serviceCidr } = this.addresses;
    run('ip', ['link', 'add', this.hostDevice, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', this.name]);
    run('ip', ['addr', 'add', `${host}/30`, 'dev', this.hostDevice]);
    run('ip', ['link', 'set', this.hostDevice, 'up']);
    run('ip', ['-n', this.name, 'link', 'set', 'lo', 'up']);
    run('ip', ['-n', this.name, 'addr', 'add', `${node}/30`, 'dev', 'eth0']);
    run('ip', ['-n', this.name, 'link', 'set', 'eth0', 'up']);
    for (const cidr of [podCidr, serviceCidr]) run('ip', ['route', 'add', cidr, 'via', node, 'dev', this.hostDevice]);
    // The node forwards between its link and the pods' bridge; bridged pod traffic goes through its
    // packet filter, so that a Service's reply from a pod on the same bridge is translated back.
    this.run('sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1', 'net.bridge.bridge-nf-call-iptables=1']);
  }
}
