// rpcd's access control for the stand-in: the ACL files of the package (root/usr/share/rpcd/
// acl.d/*.json) decide what a read-only user may call, as rpcd decides it from
// /usr/share/rpcd/acl.d on a router. root may do everything (OpenWrt's rpcd config gives it
// read '*' and write '*').
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

interface AclScope {
  ubus?: Record<string, string[]>;
  uci?: string[];
}

interface AclGroup {
  description?: string;
  read?: AclScope;
  write?: AclScope;
}

export interface Grants {
  ubus: Map<string, Set<string>>; // object → methods ('*' for all)
  uciRead: Set<string>;
  uciWrite: Set<string>;
  all: boolean;
}

export function loadAclGroups(dir: string): Record<string, AclGroup> {
  const groups: Record<string, AclGroup> = {};
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) Object.assign(groups, JSON.parse(readFileSync(join(dir, f), 'utf8')));
  return groups;
}

export function grantsFor(groups: Record<string, AclGroup>, access: 'all' | 'read'): Grants {
  const g: Grants = { ubus: new Map(), uciRead: new Set(), uciWrite: new Set(), all: access === 'all' };
  for (const group of Object.values(groups)) {
    for (const [scope, s] of [['read', group.read], ['write', group.write]] as const) {
      if (!s || (scope === 'write' && access === 'read')) continue;
      for (const [obj, methods] of Object.entries(s.ubus ?? {})) {
        const set = g.ubus.get(obj) ?? new Set<string>();
        methods.forEach((m) => set.add(m));
        g.ubus.set(obj, set);
      }
      for (const c of s.uci ?? []) (scope === 'read' ? g.uciRead : g.uciWrite).add(c);
    }
  }
  // a write grant on a config includes reading it
  for (const c of g.uciWrite) g.uciRead.add(c);
  return g;
}

export function mayCall(g: Grants, object: string, method: string): boolean {
  if (g.all) return true;
  // luci-base grants every logged-in user the uci object; rpcd then checks the config
  if (object === 'uci' || object === 'session') return true;
  const m = g.ubus.get(object);
  return !!m && (m.has(method) || m.has('*'));
}

export function mayUci(g: Grants, config: string, write: boolean): boolean {
  if (g.all) return true;
  return (write ? g.uciWrite : g.uciRead).has(config);
}
