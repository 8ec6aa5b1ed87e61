// The ubus calls of the page, through LuCI's rpc (JSON-RPC to /ubus with the session; the
// rpcd ACL luci-app-bond.json grants exactly these).
import { luci } from './luci.js';
import type { Status } from './status/types.js';

export interface NetifdInterface {
  interface: string;
  up?: boolean;
  device?: string;
  l3_device?: string;
  proto?: string;
  'ipv4-address'?: { address: string; mask: number }[];
}

let calls: { status: () => Promise<unknown>; dump: () => Promise<unknown>; setLink: (name: string, enabled: boolean) => Promise<unknown> } | undefined;

function declared() {
  if (!calls) {
    const { rpc } = luci();
    calls = {
      status: rpc.declare({ object: 'bonding', method: 'status', expect: { '': {} }, reject: true }),
      dump: rpc.declare({ object: 'network.interface', method: 'dump', expect: { interface: [] } }),
      setLink: rpc.declare({ object: 'bonding', method: 'set_link', params: ['name', 'enabled'], reject: true }) as (n: string, e: boolean) => Promise<unknown>,
    };
  }
  return calls;
}

export function callStatus(): Promise<Status> {
  return declared().status() as Promise<Status>;
}

export async function callInterfaces(): Promise<NetifdInterface[]> {
  const list = await declared().dump().catch(() => []);
  return Array.isArray(list) ? (list as NetifdInterface[]) : [];
}

export function callSetLink(name: string, enabled: boolean): Promise<unknown> {
  return declared().setLink(name, enabled);
}
