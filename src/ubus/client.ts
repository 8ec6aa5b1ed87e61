// A ubus client that speaks ubusd's socket protocol itself (no libubus): method calls,
// published objects, events, subscriptions and notifications. When ubusd goes away it
// reconnects every reconnectDelayMs and re-creates its objects, event listeners and
// subscriptions, since every id changes; requests made meanwhile wait for that (within
// their timeout). The frames it sends are byte for byte those of libubus, in the same
// order, so recordings of the real tools can check it.
import type { BlobmsgField } from './blobmsg.js';
import { UbusConnection, type RequestOptions } from './connection.js';
import { EVENT_OBJECT_ID, MsgType, type UbusAttrs, type UbusMessage } from './message.js';
import { checkArgs, decodeSignature, encodeSignature, type Signature } from './signature.js';
import { UbusError, UbusStatus } from './status.js';
import { blobmsgToTable, tableToBlobmsg, type UbusTable } from './value.js';

export const DEFAULT_SOCKET = '/var/run/ubus/ubus.sock';

export interface ClientOptions {
  // Default for every request; the ubus CLI's is 30 s.
  timeoutMs?: number;
  // libubus retries once a second.
  reconnectDelayMs?: number;
  // Failures nobody awaits: a method handler that throws, an object that cannot be
  // re-created after a reconnect, a protocol error. Defaults to process.emitWarning.
  onError?: (err: Error) => void;
}

export interface CallOptions {
  timeoutMs?: number;
}

export interface SubscribeOptions {
  // A target that does not exist yet is subscribed when ubusd announces it, as after a
  // reconnect, instead of failing with UBUS_STATUS_NOT_FOUND: for objects whose owner may
  // start after us.
  waitForTargets?: boolean;
}

export interface InvokeContext {
  object: string;
  method: string;
  // The caller's client id.
  peer: number;
  user?: string;
  group?: string;
}

// Resolve with the reply table (or nothing), or throw a UbusError to answer with its status;
// any other error answers UNKNOWN_ERROR. The reply goes out when the promise settles, so a
// handler may take as long as it needs (a deferred reply in libubus terms).
export type MethodHandler = (args: UbusTable, ctx: InvokeContext) => UbusTable | void | Promise<UbusTable | void>;

export interface MethodSpec {
  signature?: Signature;
  handler: MethodHandler;
}

export interface ObjectOptions {
  // ubusd reports when the first subscriber arrives and when the last one leaves.
  onSubscribers?: (active: boolean) => void;
}

export interface UbusObject {
  readonly name: string;
  // 0 while disconnected.
  readonly id: number;
  readonly hasSubscribers: boolean;
  // To every subscriber, without waiting for answers (NO_REPLY); dropped while disconnected.
  notify(type: string, data?: UbusTable): void;
  remove(): Promise<void>;
}

export interface Registration {
  readonly id: number;
  remove(): Promise<void>;
}

export interface ObjectInfo {
  path: string;
  id: number;
  typeId: number;
  signature: Record<string, Signature>;
}

export type EventCallback = (type: string, data: UbusTable) => void;
// Throw a UbusError to answer a notification that wants an answer with that status.
export type NotifyCallback = (type: string, data: UbusTable) => void | Promise<void>;

interface Published {
  kind: 'object';
  id: number;
  name: string;
  methods: Record<string, MethodSpec>;
  signature: BlobmsgField[];
  hasSubscribers: boolean;
  onSubscribers: ((active: boolean) => void) | undefined;
}

interface Listener {
  kind: 'listener';
  id: number;
  patterns: string[];
  cb: EventCallback;
}

// A target id of MISSING means the path is gone and is subscribed again when ubusd
// announces it (ubus.object.add); BUSY means a subscribe is under way or due (a new
// subscriber, or one being restored after a reconnect).
const MISSING = 0;
const BUSY = -1;

interface Subscriber {
  kind: 'subscriber';
  id: number;
  targets: Map<string, number>;
  cb: NotifyCallback;
}

type Reg = Published | Listener | Subscriber;

// How establish() sends: through the ready gate for the caller's own requests, straight on
// the new connection while restoring after a reconnect.
type Sender = (type: number, peer: number, attrs: UbusAttrs, context: string, onData?: (a: UbusAttrs) => void) => Promise<void>;

interface Waiter {
  resolve(conn: UbusConnection): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export class UbusClient {
  private conn: UbusConnection | null = null;
  // Connected, and everything registered before a reconnect is registered again.
  private ready = false;
  private closing = false;
  private retry: NodeJS.Timeout | undefined;
  private readonly waiters = new Set<Waiter>();
  private readonly regs = new Set<Reg>();
  private readonly byId = new Map<number, Reg>();
  private readonly ids = new Map<string, number>();
  private watcher: Promise<unknown> | null = null;
  private readonly timeoutMs: number;
  private readonly reconnectDelayMs: number;
  private readonly report: (err: Error) => void;

  private constructor(
    readonly path: string,
    opts: ClientOptions,
  ) {
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.reconnectDelayMs = opts.reconnectDelayMs ?? 1000;
    this.report = opts.onError ?? ((err) => process.emitWarning(err));
  }

  // Fails with UBUS_STATUS_CONNECTION_FAILED when ubusd is not there; reconnecting is
  // automatic only once a first connection has been made.
  static async connect(path = DEFAULT_SOCKET, opts: ClientOptions = {}): Promise<UbusClient> {
    const client = new UbusClient(path, opts);
    client.conn = await client.open();
    client.ready = true;
    return client;
  }

  // Our client id in ubusd (changes on reconnect).
  get clientId(): number {
    return this.conn?.clientId ?? 0;
  }

  // Looks the object up (cached) and invokes the method. Resolves with the reply table
  // ({} when the method sent none; the last one when it sent several).
  async call(path: string, method: string, args: UbusTable = {}, opts: CallOptions = {}): Promise<UbusTable> {
    const context = `call ${path} ${method}`;
    const send = this.gated(opts);
    const cached = this.ids.get(path);
    const id = cached ?? (await this.lookupId(path, send));
    try {
      return await this.invoke(id, method, args, send, context);
    } catch (err) {
      // A stale id (the object's owner restarted) gives NOT_FOUND; so can the method
      // itself, so call again only if the path now has another id.
      if (cached === undefined || !(err instanceof UbusError) || err.code !== UbusStatus.NOT_FOUND) throw err;
      this.ids.delete(path);
      const fresh = await this.lookupId(path, send);
      if (fresh === id) throw err;
      return this.invoke(fresh, method, args, send, context);
    }
  }

  // Objects whose path matches (exactly, or by prefix when it ends in '*'); all objects
  // without a pattern. No match gives [].
  async list(pattern?: string, opts: CallOptions = {}): Promise<ObjectInfo[]> {
    const found: ObjectInfo[] = [];
    const collect = (a: UbusAttrs) => {
      if (a.objpath === undefined || a.objid === undefined || a.objtype === undefined) return;
      found.push({ path: a.objpath, id: a.objid, typeId: a.objtype, signature: decodeSignature(a.signature ?? []) });
    };
    try {
      await this.gated(opts)(MsgType.LOOKUP, 0, pattern === undefined ? {} : { objpath: pattern }, `list ${pattern ?? ''}`, collect);
    } catch (err) {
      if (err instanceof UbusError && err.code === UbusStatus.NOT_FOUND) return [];
      throw err;
    }
    return found;
  }

  // Publishes an object. Arguments are checked against each method's signature before
  // the handler runs; unknown arguments pass. A name that is taken fails with
  // UBUS_STATUS_INVALID_ARGUMENT (another instance is running).
  async addObject(name: string, methods: Record<string, MethodSpec>, opts: ObjectOptions = {}): Promise<UbusObject> {
    const signatures = Object.fromEntries(Object.entries(methods).map(([m, spec]) => [m, spec.signature ?? {}]));
    const reg: Published = {
      kind: 'object',
      id: 0,
      name,
      methods,
      signature: encodeSignature(signatures),
      hasSubscribers: false,
      onSubscribers: opts.onSubscribers,
    };
    await this.register(reg);
    return {
      name,
      get id() {
        return reg.id;
      },
      get hasSubscribers() {
        return reg.hasSubscribers;
      },
      notify: (type, data = {}) => this.notify(reg, type, data),
      remove: () => this.unregister(reg),
    };
  }

  async sendEvent(type: string, data: UbusTable = {}, opts: CallOptions = {}): Promise<void> {
    const body: BlobmsgField[] = [
      { name: 'id', type: 'string', value: type },
      { name: 'data', type: 'table', value: tableToBlobmsg(data) },
    ];
    await this.gated(opts)(MsgType.INVOKE, EVENT_OBJECT_ID, { objid: EVENT_OBJECT_ID, method: 'send', data: body }, `send ${type}`);
  }

  // Listens for events whose name matches one of the patterns (exact, or a prefix ending
  // in '*'; '*' is every event). ubusd never returns an event to the connection that sent it.
  onEvent(patterns: string | string[], cb: EventCallback): Promise<Registration> {
    return this.register({ kind: 'listener', id: 0, patterns: [patterns].flat(), cb });
  }

  // Subscribes to the notifications of the objects at these paths. Fails with
  // UBUS_STATUS_NOT_FOUND if one does not exist, unless opts.waitForTargets; an object that
  // goes away later is subscribed again when it comes back.
  async subscribe(paths: string | string[], cb: NotifyCallback, opts: SubscribeOptions = {}): Promise<Registration> {
    const sub: Subscriber = { kind: 'subscriber', id: 0, targets: new Map([paths].flat().map((p) => [p, BUSY])), cb };
    const reg = await this.register(sub, opts.waitForTargets ?? false);
    // Also looks the missing targets up again: one may have appeared before the watcher listened.
    this.watchMissing();
    return reg;
  }

  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.retry);
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(new UbusError(UbusStatus.CONNECTION_FAILED, 'ubus client closed'));
    }
    this.waiters.clear();
    await this.conn?.close();
  }

  private open(): Promise<UbusConnection> {
    const events = {
      onMessage: (conn: UbusConnection, msg: UbusMessage) => this.onMessage(conn, msg),
      onClose: (conn: UbusConnection) => this.lost(conn),
      onError: this.report,
    };
    return UbusConnection.open(this.path, events, this.timeoutMs);
  }

  // A sender for the caller's requests: waits for a ready connection, all within one
  // deadline.
  private gated(opts: CallOptions): Sender {
    const deadline = Date.now() + (opts.timeoutMs ?? this.timeoutMs);
    return async (type, peer, attrs, context, onData) => {
      const conn = await this.connection(deadline, context);
      const req: RequestOptions = { timeoutMs: Math.max(0, deadline - Date.now()), context, onData };
      return conn.request(type, peer, attrs, req);
    };
  }

  private connection(deadline: number, context: string): Promise<UbusConnection> {
    if (this.ready && this.conn) return Promise.resolve(this.conn);
    if (this.closing) return Promise.reject(new UbusError(UbusStatus.CONNECTION_FAILED, context));
    return new Promise((resolve, reject) => {
      const w: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(w);
          reject(new UbusError(UbusStatus.TIMEOUT, context));
        }, deadline - Date.now()),
      };
      this.waiters.add(w);
    });
  }

  private async lookupId(path: string, send: Sender): Promise<number> {
    let id: number | undefined;
    await send(MsgType.LOOKUP, 0, { objpath: path }, `lookup ${path}`, (a) => (id ??= a.objid));
    if (id === undefined) throw new UbusError(UbusStatus.NOT_FOUND, `lookup ${path}`);
    this.ids.set(path, id);
    return id;
  }

  private async invoke(id: number, method: string, args: UbusTable, send: Sender, context: string): Promise<UbusTable> {
    let reply: UbusTable = {};
    await send(MsgType.INVOKE, id, { objid: id, method, data: tableToBlobmsg(args) }, context, (a) => {
      if (a.data) reply = blobmsgToTable(a.data);
    });
    return reply;
  }

  private async register(reg: Reg, waitForTargets = false): Promise<Registration> {
    try {
      await this.establish(reg, this.gated({}), waitForTargets);
    } catch (err) {
      await this.unregister(reg).catch(() => undefined);
      throw err;
    }
    this.regs.add(reg);
    return {
      get id() {
        return reg.id;
      },
      remove: () => this.unregister(reg),
    };
  }

  // Creates the object in ubusd and everything that hangs on it. With `waitForTargets`
  // (restoring after a reconnect, or a subscribe that asked for it), subscription targets
  // that do not exist (yet) are left for the ubus.object.add watcher instead of failing.
  private async establish(reg: Reg, send: Sender, waitForTargets: boolean): Promise<void> {
    const attrs: UbusAttrs = reg.kind === 'object' ? { objpath: reg.name, signature: reg.signature } : {};
    const label = reg.kind === 'object' ? `add object ${reg.name}` : `add ${reg.kind}`;
    let id = 0;
    await send(MsgType.ADD_OBJECT, 0, attrs, label, (a) => (id = a.objid ?? id));
    if (!id) throw new UbusError(UbusStatus.NO_DATA, label);
    reg.id = id;
    this.byId.set(id, reg);
    if (reg.kind === 'listener') {
      for (const pattern of reg.patterns) {
        const data: BlobmsgField[] = [
          // ubusd reads the id as INT32, so it goes out as the same four bytes under an
          // INT32 tag (an INT64 would be ignored).
          { name: 'object', type: 'int32', value: id | 0 },
          { name: 'pattern', type: 'string', value: pattern },
        ];
        await send(MsgType.INVOKE, EVENT_OBJECT_ID, { objid: EVENT_OBJECT_ID, method: 'register', data }, `listen ${pattern}`);
      }
    } else if (reg.kind === 'subscriber') {
      for (const path of reg.targets.keys()) {
        try {
          await this.subscribeTarget(reg, path, send);
        } catch (err) {
          if (!waitForTargets || !(err instanceof UbusError) || err.code !== UbusStatus.NOT_FOUND) throw err;
        }
      }
    }
  }

  private async subscribeTarget(sub: Subscriber, path: string, send: Sender, knownId?: number): Promise<void> {
    sub.targets.set(path, BUSY);
    try {
      const target = knownId ?? (await this.lookupId(path, send));
      // Known before the STATUS arrives: ubusd's UNSUBSCRIBE may follow it at once.
      sub.targets.set(path, target);
      await send(MsgType.SUBSCRIBE, 0, { objid: sub.id, target }, `subscribe ${path}`);
    } catch (err) {
      sub.targets.set(path, MISSING);
      throw err;
    }
  }

  private async unregister(reg: Reg): Promise<void> {
    this.regs.delete(reg);
    const id = reg.id;
    reg.id = 0;
    if (!id) return;
    this.byId.delete(id);
    if (this.conn?.alive) {
      await this.conn.request(MsgType.REMOVE_OBJECT, 0, { objid: id }, { timeoutMs: this.timeoutMs, context: 'remove object' });
    }
  }

  private notify(reg: Published, type: string, data: UbusTable): void {
    if (!reg.id || !this.conn) return;
    const attrs: UbusAttrs = { objid: reg.id, method: type, data: tableToBlobmsg(data), noReply: true };
    this.conn.send(MsgType.NOTIFY, 'next', reg.id, attrs);
  }

  private onMessage(conn: UbusConnection, msg: UbusMessage): void {
    const reg = this.byId.get(msg.attrs.objid ?? 0);
    switch (msg.type) {
      case MsgType.INVOKE:
        this.onInvoke(conn, msg, reg);
        break;
      case MsgType.NOTIFY:
        if (reg?.kind === 'object' && msg.attrs.active !== undefined) {
          reg.hasSubscribers = msg.attrs.active;
          reg.onSubscribers?.(msg.attrs.active);
        }
        break;
      case MsgType.UNSUBSCRIBE:
        if (reg?.kind === 'subscriber') {
          for (const [path, target] of reg.targets) if (target === msg.attrs.target) reg.targets.set(path, MISSING);
          this.watchMissing();
        }
        break;
    }
  }

  // Answers like libubus: DATA (when there is a reply) then STATUS, with the caller's seq
  // and peer, nothing when NO_REPLY is set. Event deliveries are answered too (ubusd
  // drops those answers, as they go to peer 0), exactly as the ubus CLI does.
  private onInvoke(conn: UbusConnection, msg: UbusMessage, reg: Reg | undefined): void {
    const { objid = 0, method, data } = msg.attrs;
    const reply = (status: number, result?: UbusTable) => {
      if (msg.attrs.noReply) return;
      const owner = reg ? objid : 0;
      if (result !== undefined) {
        let fields: BlobmsgField[] | undefined;
        try {
          fields = tableToBlobmsg(result);
        } catch (err) {
          this.report(err as Error);
        }
        if (!fields || !conn.send(MsgType.DATA, msg.seq, msg.peer, { objid: owner, data: fields })) status = UbusStatus.UNKNOWN_ERROR;
      }
      conn.send(MsgType.STATUS, msg.seq, msg.peer, { status, objid: owner });
    };
    const answer = (run: () => UbusTable | void | Promise<UbusTable | void>) => {
      Promise.resolve()
        .then(run)
        .then(
          (result) => {
            if (result === undefined) return reply(UbusStatus.OK);
            if (typeof result !== 'object' || result === null || Array.isArray(result)) {
              this.report(new TypeError(`${method}: a ubus reply must be a table`));
              return reply(UbusStatus.UNKNOWN_ERROR);
            }
            reply(UbusStatus.OK, result);
          },
          (err: unknown) => {
            if (err instanceof UbusError) return reply(err.code);
            this.report(err instanceof Error ? err : new Error(String(err)));
            reply(UbusStatus.UNKNOWN_ERROR);
          },
        );
    };

    if (!reg) return reply(UbusStatus.NOT_FOUND);
    if (method === undefined) return reply(UbusStatus.INVALID_ARGUMENT);
    const args = blobmsgToTable(data ?? []);
    switch (reg.kind) {
      case 'listener':
      case 'subscriber':
        // Whatever the callback returns is not a reply.
        return answer(async () => {
          await reg.cb(method, args);
        });
      case 'object': {
        const spec = Object.hasOwn(reg.methods, method) ? reg.methods[method] : undefined;
        if (!spec) return reply(UbusStatus.METHOD_NOT_FOUND);
        if (!data || (spec.signature && checkArgs(spec.signature, data) !== undefined)) return reply(UbusStatus.INVALID_ARGUMENT);
        const ctx: InvokeContext = { object: reg.name, method, peer: msg.peer, user: msg.attrs.user, group: msg.attrs.group };
        return answer(() => spec.handler(args, ctx));
      }
    }
  }

  private lost(conn: UbusConnection): void {
    if (conn !== this.conn) return;
    this.conn = null;
    this.ready = false;
    this.byId.clear();
    this.ids.clear();
    for (const reg of this.regs) {
      reg.id = 0;
      if (reg.kind === 'subscriber') for (const path of reg.targets.keys()) reg.targets.set(path, BUSY);
      if (reg.kind === 'object' && reg.hasSubscribers) {
        reg.hasSubscribers = false;
        try {
          reg.onSubscribers?.(false);
        } catch (err) {
          this.report(err as Error);
        }
      }
    }
    if (!this.closing) this.retry = setTimeout(() => void this.reconnect(), this.reconnectDelayMs);
  }

  private async reconnect(): Promise<void> {
    let conn: UbusConnection;
    try {
      conn = await this.open();
    } catch {
      if (!this.closing) this.retry = setTimeout(() => void this.reconnect(), this.reconnectDelayMs);
      return;
    }
    if (this.closing) return void conn.close();
    this.conn = conn;
    const send: Sender = (type, peer, attrs, context, onData) =>
      conn.request(type, peer, attrs, { timeoutMs: this.timeoutMs, context, onData });
    for (const reg of [...this.regs]) {
      if (!conn.alive) return;
      try {
        await this.establish(reg, send, true);
      } catch (err) {
        if (conn.alive) this.report(err as Error);
      }
    }
    if (!conn.alive) return;
    this.ready = true;
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.resolve(conn);
    }
    this.waiters.clear();
    this.watchMissing();
  }

  // Subscriptions whose target is gone wait for ubusd's ubus.object.add event for their
  // path (what libubus's auto-subscribe does); the listener for it is created the first
  // time it is needed. Paths that came back before it was listening are looked up once.
  // Subscribers are found by id, not in `regs`, so that one whose target vanishes while
  // subscribe() is still returning is covered too.
  private watchMissing(): void {
    const missing = () =>
      [...this.byId.values()].flatMap((r) =>
        r.kind === 'subscriber' ? [...r.targets].filter(([, t]) => t === MISSING).map(([p]) => [r, p] as const) : [],
      );
    if (missing().length === 0) return;
    this.watcher ??= this.onEvent('ubus.object.add', (_, data) => {
      if (typeof data.path !== 'string' || typeof data.id !== 'number') return;
      for (const [sub, path] of missing()) if (path === data.path) this.resubscribe(sub, path, data.id >>> 0);
    }).catch((err: Error) => {
      this.watcher = null;
      if (!this.closing) this.report(err);
    });
    void this.watcher.then(() => {
      for (const [sub, path] of missing()) this.resubscribe(sub, path);
    });
  }

  private resubscribe(sub: Subscriber, path: string, knownId?: number): void {
    this.subscribeTarget(sub, path, this.gated({}), knownId).catch((err: Error) => {
      if (this.closing || (err instanceof UbusError && err.code === UbusStatus.NOT_FOUND)) return;
      this.report(err);
    });
  }
}
