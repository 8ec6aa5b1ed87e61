// The router's /ubus endpoint (uhttpd's ubus plugin with rpcd behind it), standing in for:
//   session   login (users root and, read-only, viewer) and access
//   bonding   status, links, reload, set_link: forwarded to a running bondd's control socket
//   network.interface  dump: a fixed list of netifd interfaces (the lab has no netifd)
//   uci       get/add/set/delete/changes/revert/commit/apply/confirm/rollback on a config dir
// Calls are checked against the package's rpcd ACL as uhttpd and rpcd check them; replies and
// errors have uhttpd's JSON-RPC shapes (result [status, data], error −32000…−32002).
import { randomBytes } from 'node:crypto';
import { request } from '../../src/control/socket.js';
import { ApiError, SIGNATURES, type ArgType } from '../../src/control/api.js';
import { STATUS_OF } from '../../src/openwrt/ubus-object.js';
import { UbusError, UbusStatus } from '../../src/ubus/status.js';
import { grantsFor, mayCall, mayUci, type Grants, loadAclGroups } from './acl.js';
import { UciRpc } from './uci-rpc.js';

export const NULL_SESSION = '00000000000000000000000000000000';

export interface Iface {
  interface: string;
  device: string;
  up: boolean;
  address?: string;
}

export interface UbusOptions {
  control: string; // bondd's control socket
  aclDir: string;
  users: Record<string, { password: string; access: 'all' | 'read' }>;
  interfaces: Iface[];
  uci: UciRpc;
  sessionTimeout?: number; // seconds
}

interface Session {
  id: string;
  username: string;
  grants: Grants;
  expires: number;
}

type RpcRequest = { jsonrpc?: string; id?: unknown; method?: string; params?: unknown[] };
type RpcReply = { jsonrpc: '2.0'; id: unknown; result?: unknown[]; error?: { code: number; message: string } };

// How uhttpd names the argument types in a `list` reply (uh_ubus_list_cb).
const LIST_TYPE: Record<ArgType, string> = { string: 'string', bool: 'boolean', int32: 'number' };

export class UbusStandIn {
  private readonly sessions = new Map<string, Session>();
  private readonly groups: ReturnType<typeof loadAclGroups>;
  readonly log: { object: string; method: string; user: string; ok: boolean }[] = [];

  constructor(private readonly o: UbusOptions) {
    this.groups = loadAclGroups(o.aclDir);
  }

  login(username: string, password: string): Session | undefined {
    const u = this.o.users[username];
    if (!u || u.password !== password) return undefined;
    const timeout = this.o.sessionTimeout ?? 300;
    const s: Session = { id: randomBytes(16).toString('hex'), username, grants: grantsFor(this.groups, u.access), expires: Date.now() + timeout * 1000 };
    this.sessions.set(s.id, s);
    return s;
  }

  session(id: string | undefined): Session | undefined {
    const s = id ? this.sessions.get(id) : undefined;
    if (!s || s.expires < Date.now()) return undefined;
    s.expires = Date.now() + (this.o.sessionTimeout ?? 300) * 1000; // rpcd renews on use
    return s;
  }

  isReadonly(id: string): boolean {
    const s = this.session(id);
    return !s || !mayCall(s.grants, 'bonding', 'set_link');
  }

  /** One JSON-RPC body (an object, or an array for a batch). */
  async handle(body: unknown): Promise<RpcReply | RpcReply[]> {
    if (Array.isArray(body)) return Promise.all(body.map((b) => this.one(b as RpcRequest)));
    return this.one(body as RpcRequest);
  }

  private async one(req: RpcRequest): Promise<RpcReply> {
    const id = req?.id ?? null;
    const fail = (code: number, message: string): RpcReply => ({ jsonrpc: '2.0', id, error: { code, message } });
    if (!req || req.jsonrpc !== '2.0' || typeof req.method !== 'string') return fail(-32600, 'Invalid request');
    if (req.method === 'list') return { jsonrpc: '2.0', id, result: [0, this.list()] };
    if (req.method !== 'call') return fail(-32601, 'Method not found');
    const [sid, object, method, args] = req.params ?? [];
    if (typeof sid !== 'string' || typeof object !== 'string' || typeof method !== 'string' || (args !== undefined && (typeof args !== 'object' || args === null)))
      return fail(-32602, 'Invalid parameters');
    const a = { ...(args as Record<string, unknown>) };
    if ('ubus_rpc_session' in a) return fail(-32602, 'Invalid parameters');
    if (object === 'session' && method === 'login') {
      try {
        return this.reply(id, this.doLogin(a));
      } catch (e) {
        return this.status(id, e instanceof UbusError ? e.code : UbusStatus.UNKNOWN_ERROR);
      }
    }
    const s = this.session(sid);
    if (!s || !mayCall(s.grants, object, method)) return fail(-32002, 'Access denied');
    const ok = (v: unknown) => (this.log.push({ object, method, user: s.username, ok: true }), this.reply(id, v));
    try {
      if (object === 'session' && method === 'access') return ok(this.access(s, a));
      if (object === 'uci') {
        const acc = UciRpc.access(method, a);
        if (acc.config && !mayUci(s.grants, acc.config, acc.write)) return fail(-32002, 'Access denied');
        if (!acc.config && acc.write && !s.grants.all && s.grants.uciWrite.size === 0) return fail(-32002, 'Access denied');
        return ok(this.o.uci.call(s.id, method, a));
      }
      if (object === 'network.interface' && method === 'dump') return ok({ interface: this.dump() });
      if (object === 'bonding') {
        if (!Object.hasOwn(SIGNATURES, method)) return this.status(id, UbusStatus.METHOD_NOT_FOUND);
        return ok(await this.bonding(method, a));
      }
      return fail(-32000, 'Object not found');
    } catch (e) {
      this.log.push({ object, method, user: s.username, ok: false });
      if (e instanceof UbusError) return this.status(id, e.code);
      if (e instanceof ApiError) return this.status(id, STATUS_OF[e.code]);
      if (e instanceof NoDaemon) return fail(-32000, 'Object not found');
      return fail(-32603, 'Internal error');
    }
  }

  private reply(id: unknown, data: unknown): RpcReply {
    return { jsonrpc: '2.0', id, result: data === undefined ? [0] : [0, data as object] };
  }

  private status(id: unknown, status: number): RpcReply {
    return { jsonrpc: '2.0', id, result: [status] };
  }

  private doLogin(a: Record<string, unknown>): unknown {
    const s = this.login(String(a.username ?? ''), String(a.password ?? ''));
    if (!s) throw new UbusError(UbusStatus.PERMISSION_DENIED);
    return { ubus_rpc_session: s.id, timeout: this.o.sessionTimeout ?? 300, expires: this.o.sessionTimeout ?? 300, acls: {}, data: { username: s.username } };
  }

  private access(s: Session, a: Record<string, unknown>): unknown {
    const scope = String(a.scope ?? 'ubus');
    const obj = String(a.object ?? '');
    const fn = String(a.function ?? '');
    const access = scope === 'uci' ? mayUci(s.grants, obj, fn === 'write') : scope === 'ubus' ? mayCall(s.grants, obj, fn) : s.grants.all;
    return { access };
  }

  private list(): Record<string, Record<string, Record<string, string>>> {
    const args = (sig: Record<string, ArgType>) => Object.fromEntries(Object.entries(sig).map(([arg, t]) => [arg, LIST_TYPE[t]]));
    return {
      bonding: Object.fromEntries(Object.entries(SIGNATURES).map(([method, sig]) => [method, args(sig)])),
      'network.interface': { dump: {} },
    };
  }

  private dump(): unknown[] {
    return this.o.interfaces.map((i) => ({
      interface: i.interface,
      up: i.up,
      pending: false,
      available: true,
      proto: i.interface === 'lan' ? 'static' : 'dhcp',
      device: i.device,
      l3_device: i.device,
      'ipv4-address': i.address ? [{ address: i.address, mask: 24 }] : [],
      route: [],
    }));
  }

  private async bonding(method: string, a: Record<string, unknown>): Promise<unknown> {
    const params = Object.fromEntries(Object.entries(a).filter(([k]) => k !== 'ubus_rpc_session'));
    try {
      return await request(this.o.control, method, params);
    } catch (e) {
      if (e instanceof ApiError) throw e;
      // bondd not running: on a router its ubus object would be missing
      throw new NoDaemon((e as Error).message);
    }
  }
}

class NoDaemon extends Error {}
