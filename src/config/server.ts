// Server (VPS) mode: the bonding section's server options and the `peer` sections, with the
// checks that tie them together (peer addresses inside the tunnel subnet, nothing shared).

import type { UciSection } from '../uci/model.js';
import { contains, isNetworkOrBroadcast, type Address, type Prefix } from './ip.js';
import { SectionReader, sectionLabel, sectionNames, type Located, type Problems } from './reader.js';
import type { CommonConfig, SchedulerName, ServerConfig } from './types.js';
import { address, bool, hostPrefix, key, route } from './values.js';

export const SERVER_OPTIONS = ['listen', 'address', 'address6', 'nat'] as const;

// A tunnel subnet of the bonding section; 'skip' when peers cannot be checked against it
// (its option is invalid, reported already, or absent from a disabled config).
type Subnet = Located<Prefix> | 'missing' | 'skip';

interface Subnets {
  v4: Subnet;
  v6: Subnet;
}

interface Peer {
  name: string;
  label: string;
  line: number;
  key?: Located<string> | undefined;
  address?: Located<Address> | undefined;
  address6?: Located<Address> | undefined;
  routes: Located<Prefix>[];
}

// A peer's tunnel address must be a usable host address of the server's subnet.
function checkInSubnet(problems: Problems, a: Located<Address> | undefined, subnet: Subnet, option: string): void {
  if (!a || subnet === 'skip') return;
  if (subnet === 'missing') {
    problems.error(a.line, `option '${option}' of a peer needs option '${option}' (the tunnel subnet) in the bonding section`);
  } else if (!contains(subnet.value, a.value)) {
    problems.error(a.line, `option '${option}' '${a.text}' is outside the tunnel subnet ${subnet.text} (line ${subnet.line})`);
  } else if (a.value.value === subnet.value.value) {
    problems.error(a.line, `option '${option}' '${a.text}' is the server's own address (line ${subnet.line})`);
  } else if (isNetworkOrBroadcast(subnet.value, a.value)) {
    problems.error(a.line, `option '${option}' '${a.text}' is the network or broadcast address of ${subnet.text}`);
  }
}

// Without `subnets` (mode unknown) the peer is checked on its own.
function readPeer(r: SectionReader, name: string, complete: boolean, subnets: Subnets | undefined): Peer {
  const peer: Peer = {
    name,
    label: r.label,
    line: r.line,
    key: r.need('key', key, complete),
    address: r.need('address', address(4), complete),
    address6: r.get('address6', address(6)),
    routes: r.list('route', route),
  };
  if (subnets) {
    checkInSubnet(r.problems, peer.address, subnets.v4, 'address');
    checkInSubnet(r.problems, peer.address6, subnets.v6, 'address6');
  }
  r.finish();
  return peer;
}

// Keys, tunnel addresses and routed LANs identify a peer: no two may share one.
function checkUnique(peers: Peer[], problems: Problems): void {
  const owner = new Map<string, Peer>();
  const claim = (peer: Peer, what: string, id: string, item: Located<unknown>, shown: string) => {
    const other = owner.get(`${what}:${id}`);
    if (other) problems.error(item.line, `${peer.label} has the same ${what}${shown} as ${other.label} (line ${other.line})`);
    else owner.set(`${what}:${id}`, peer);
  };
  for (const p of peers) {
    if (p.key) claim(p, 'key', p.key.value, p.key, '');
    if (p.address) claim(p, 'address', String(p.address.value.value), p.address, ` '${p.address.text}'`);
    if (p.address6) claim(p, 'address6', String(p.address6.value.value), p.address6, ` '${p.address6.text}'`);
    for (const r of p.routes) claim(p, 'route', `${r.value.family}/${r.value.value}/${r.value.length}`, r, ` '${r.text}'`);
  }
}

export function readPeers(sections: UciSection[], problems: Problems, complete: boolean, subnets?: Subnets): Peer[] {
  const names = sectionNames(sections);
  const peers = sections.map((s, i) => readPeer(new SectionReader(s, sectionLabel(s, i), problems), names[i]!, complete, subnets));
  checkUnique(peers, problems);
  return peers;
}

function subnet(main: SectionReader, option: string, p: Located<Prefix> | undefined, complete: boolean): Subnet {
  if (p && isNetworkOrBroadcast(p.value, p.value)) {
    main.problems.error(p.line, `option '${option}' '${p.text}' is not a usable host address of its subnet`);
    return 'skip';
  }
  if (p) return p;
  const given = main.section.options.some((o) => o.name === option);
  return given || !complete ? 'skip' : 'missing';
}

export function readServer(
  main: SectionReader,
  common: CommonConfig,
  scheduler: SchedulerName,
  peerSections: UciSection[],
  problems: Problems,
): ServerConfig {
  const complete = common.enabled;
  const v4 = main.need('address', hostPrefix(4), complete);
  const v6 = main.get('address6', hostPrefix(6));
  const subnets: Subnets = { v4: subnet(main, 'address', v4, complete), v6: subnet(main, 'address6', v6, complete) };
  const peers = readPeers(peerSections, problems, complete, subnets);
  if (complete && peers.length === 0) problems.warning(main.line, 'no peer sections: no client can connect');
  return {
    mode: 'server',
    ...common,
    listen: main.get('listen', address())?.text ?? '0.0.0.0',
    address: v4?.text ?? '',
    address6: v6?.text,
    nat: main.get('nat', bool)?.value ?? true,
    scheduler,
    peers: peers.map((p) => ({
      name: p.name,
      line: p.line,
      key: p.key?.value ?? '',
      address: p.address?.text ?? '',
      address6: p.address6?.text,
      routes: p.routes.map((r) => r.text),
    })),
  };
}
