// The `ip` tool (iproute2, OpenWrt's ip-full): batches for changes, JSON for reading.
import { run } from './exec.js';

/**
 * Runs several `ip` commands in one process; the first failure rejects. With `force`, for
 * cleanup, failures (routes already gone, …) are ignored and the lines after them still run.
 * A batch has one address family: `family` 6 for commands that need it (flush); add/replace
 * find it themselves.
 */
export async function ipBatch(lines: string[], { family, force = false }: { family?: 4 | 6; force?: boolean } = {}): Promise<void> {
  if (!lines.length) return;
  const done = run('ip', [...(family ? [`-${family}`] : []), ...(force ? ['-force'] : []), '-batch', '-'], lines.join('\n') + '\n');
  await (force ? done.catch(() => {}) : done);
}

export async function ipJson<T>(args: string[]): Promise<T> {
  const out = await run('ip', ['-j', ...args]);
  return (out.trim() ? JSON.parse(out) : []) as T;
}

export interface DeviceAddress {
  address?: string; // first IPv4 address
  prefix?: number;
  up: boolean;
  exists: boolean;
}

export async function deviceAddress(device: string): Promise<DeviceAddress> {
  try {
    const links = await ipJson<{ flags: string[]; operstate: string; addr_info?: { family: string; local: string; prefixlen: number; scope: string }[] }[]>(['addr', 'show', 'dev', device]);
    const l = links[0];
    if (!l) return { up: false, exists: false };
    const a = l.addr_info?.find((x) => x.family === 'inet' && x.scope !== 'host');
    return { address: a?.local, prefix: a?.prefixlen, up: l.flags.includes('UP') && l.operstate !== 'DOWN', exists: true };
  } catch {
    return { up: false, exists: false };
  }
}

/** The gateway of a device's default route in any table (netifd, DHCP), or undefined. */
export async function deviceGateway(device: string, excludeTables: number[] = []): Promise<string | undefined> {
  try {
    const routes = await ipJson<{ dst: string; gateway?: string; dev?: string; table?: string }[]>(['-4', 'route', 'show', 'table', 'all', 'default', 'dev', device]);
    return routes.find((r) => r.gateway && !excludeTables.includes(Number(r.table)))?.gateway;
  } catch {
    return undefined;
  }
}

/** Routing table ids that already have routes. */
export async function usedTables(): Promise<Set<number>> {
  const used = new Set<number>([253, 254, 255]);
  // a table counts as taken when it has routes, or when a rule points at it (mwan3's or
  // netifd's table of an interface that is down right now has rules but no routes)
  for (const args of [['route', 'show', 'table', 'all'], ['rule', 'show']]) {
    for (const family of ['-4', '-6']) {
      try {
        for (const r of await ipJson<{ table?: string }[]>([family, ...args])) {
          const t = Number(r.table);
          if (Number.isInteger(t)) used.add(t);
        }
      } catch {
        // no IPv6 on this system
      }
    }
  }
  return used;
}
