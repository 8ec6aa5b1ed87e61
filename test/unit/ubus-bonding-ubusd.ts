// A small ubusd for the bonding tests. FakeUbusd (ubus-fake-ubusd.ts) is scripted frame by
// frame; this one routes between its clients the way ubusd does (openwrt-platform notes §1.11
// and §1.12, ubusd 3cc98db), so that the daemon, a netifd stand-in and a caller playing the
// `ubus` CLI, all real UbusClients, can talk to each other through it. It keeps every frame
// its clients send, for checks on the bytes. What it leaves out: ACLs, MONITOR, NOTIFY with
// replies, and the 1 MiB limits.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BlobmsgField } from '../../src/ubus/blobmsg.js';
import { decodeMessage, encodeMessage, EVENT_OBJECT_ID, MsgType, type UbusAttrs, type UbusMessage } from '../../src/ubus/message.js';
import { UbusStatus } from '../../src/ubus/status.js';
import { blobmsgToTable, tableToBlobmsg, type UbusTable } from '../../src/ubus/value.js';

interface Peer {
  id: number;
  sock: net.Socket;
}

interface Obj {
  id: number;
  owner: number;
  path?: string;
  type?: number;
  signature?: BlobmsgField[];
  // ids of subscriber objects
  subscribers: Set<number>;
}

export interface Received {
  client: number;
  msg: UbusMessage;
  bytes: Buffer;
}

export class MiniUbusd {
  readonly received: Received[] = [];
  private readonly peers = new Map<number, Peer>();
  private readonly objects = new Map<number, Obj>();
  private readonly listeners: { obj: number; pattern: string }[] = [];
  private nextId = 0x9ecd0000;
  private eventSeq = 0;

  private constructor(
    private readonly server: net.Server,
    private readonly dir: string,
    readonly path: string,
  ) {
    server.on('connection', (sock) => this.accept(sock));
  }

  static async start(): Promise<MiniUbusd> {
    const dir = mkdtempSync(join(tmpdir(), 'ubus-mini-'));
    const path = join(dir, 'ubus.sock');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(path, resolve));
    return new MiniUbusd(server, dir, path);
  }

  /** Paths of the published objects. */
  paths(): string[] {
    return [...this.objects.values()].flatMap((o) => (o.path ? [o.path] : []));
  }

  /** Frames of one type that clients sent, optionally only those with this method or path. */
  sent(type: number, name?: string): Received[] {
    return this.received.filter((r) => r.msg.type === type && (name === undefined || r.msg.attrs.method === name || r.msg.attrs.objpath === name));
  }

  async close(): Promise<void> {
    for (const p of this.peers.values()) p.sock.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.dir, { recursive: true, force: true });
  }

  private newId(): number {
    this.nextId = (this.nextId + 0x1237) >>> 0;
    return this.nextId;
  }

  private accept(sock: net.Socket): void {
    const peer: Peer = { id: this.newId(), sock };
    this.peers.set(peer.id, peer);
    let buf = Buffer.alloc(0);
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 12) {
        const total = 8 + (buf.readUInt32BE(8) & 0xffffff);
        if (buf.length < total) break;
        const bytes = Buffer.from(buf.subarray(0, total));
        buf = buf.subarray(total);
        const msg = decodeMessage(bytes);
        this.received.push({ client: peer.id, msg, bytes });
        this.handle(peer, msg);
      }
    });
    sock.on('error', () => undefined);
    sock.on('close', () => this.gone(peer));
    this.send(peer.id, MsgType.HELLO, 0, peer.id, {});
  }

  private send(client: number, type: number, seq: number, peer: number, attrs: UbusAttrs): void {
    const p = this.peers.get(client);
    if (p && !p.sock.destroyed) p.sock.write(encodeMessage({ type, seq, peer, attrs }));
  }

  private status(to: Peer, req: UbusMessage, code: number, extra: UbusAttrs = {}): void {
    this.send(to.id, MsgType.STATUS, req.seq, req.peer, { status: code, ...extra });
  }

  private handle(from: Peer, req: UbusMessage): void {
    const a = req.attrs;
    switch (req.type) {
      case MsgType.PING:
        this.send(from.id, MsgType.DATA, req.seq, req.peer, {});
        return this.status(from, req, UbusStatus.OK);
      case MsgType.LOOKUP:
        return this.lookup(from, req);
      case MsgType.ADD_OBJECT:
        return this.addObject(from, req);
      case MsgType.REMOVE_OBJECT: {
        const obj = this.objects.get(a.objid ?? 0);
        if (!obj) return this.status(from, req, UbusStatus.NOT_FOUND);
        if (obj.owner !== from.id) return this.status(from, req, UbusStatus.PERMISSION_DENIED);
        this.removeObject(obj);
        this.send(from.id, MsgType.DATA, req.seq, req.peer, { objid: obj.id });
        return this.status(from, req, UbusStatus.OK);
      }
      case MsgType.INVOKE:
        if (req.peer === EVENT_OBJECT_ID) return this.eventCall(from, req);
        return this.invoke(from, req);
      case MsgType.DATA:
      case MsgType.STATUS: {
        // An object's answer to an invocation: to the caller, from the object.
        const obj = this.objects.get(a.objid ?? 0);
        if (!obj || obj.owner !== from.id || req.peer === 0) return;
        return this.send(req.peer, req.type, req.seq, obj.id, a);
      }
      case MsgType.SUBSCRIBE: {
        const sub = this.objects.get(a.objid ?? 0);
        const target = this.objects.get(a.target ?? 0);
        if (!sub || sub.owner !== from.id) return this.status(from, req, UbusStatus.INVALID_ARGUMENT);
        if (!target) return this.status(from, req, UbusStatus.NOT_FOUND);
        target.subscribers.add(sub.id);
        this.status(from, req, UbusStatus.OK);
        if (target.subscribers.size === 1) this.send(target.owner, MsgType.NOTIFY, 0, 0, { objid: target.id, active: true });
        return;
      }
      case MsgType.UNSUBSCRIBE: {
        const target = this.objects.get(a.target ?? 0);
        if (target?.subscribers.delete(a.objid ?? 0) && target.subscribers.size === 0) {
          this.send(target.owner, MsgType.NOTIFY, 0, 0, { objid: target.id, active: false });
        }
        return this.status(from, req, UbusStatus.OK);
      }
      case MsgType.NOTIFY: {
        const obj = this.objects.get(a.objid ?? 0);
        if (!obj || obj.owner !== from.id) return this.status(from, req, UbusStatus.PERMISSION_DENIED);
        for (const s of obj.subscribers) {
          const sub = this.objects.get(s);
          if (sub) this.send(sub.owner, MsgType.INVOKE, ++this.eventSeq & 0xffff, from.id, { objid: sub.id, method: a.method, data: a.data ?? [], noReply: true });
        }
        if (!a.noReply) this.status(from, req, UbusStatus.OK, { objid: obj.id });
        return;
      }
    }
  }

  private lookup(from: Peer, req: UbusMessage): void {
    const pattern = req.attrs.objpath;
    const matches = (p: string) => pattern === undefined || (pattern.endsWith('*') ? p.startsWith(pattern.slice(0, -1)) : p === pattern);
    let found = 0;
    for (const o of this.objects.values()) {
      if (!o.path || !matches(o.path)) continue;
      found++;
      this.send(from.id, MsgType.DATA, req.seq, req.peer, { objpath: o.path, objid: o.id, objtype: o.type, signature: o.signature ?? [] });
    }
    this.status(from, req, found ? UbusStatus.OK : UbusStatus.NOT_FOUND);
  }

  private addObject(from: Peer, req: UbusMessage): void {
    const { objpath, signature } = req.attrs;
    if (objpath !== undefined && this.paths().includes(objpath)) return this.status(from, req, UbusStatus.INVALID_ARGUMENT);
    const obj: Obj = { id: this.newId(), owner: from.id, subscribers: new Set() };
    if (objpath !== undefined) Object.assign(obj, { path: objpath, type: this.newId(), signature: signature ?? [] });
    this.objects.set(obj.id, obj);
    this.send(from.id, MsgType.DATA, req.seq, req.peer, obj.type === undefined ? { objid: obj.id } : { objid: obj.id, objtype: obj.type });
    this.status(from, req, UbusStatus.OK);
    // ubusd puts ids in INT32 fields: the same four bytes, negative above 2^31.
    if (obj.path) this.event('ubus.object.add', { id: obj.id | 0, path: obj.path });
  }

  private invoke(from: Peer, req: UbusMessage): void {
    const obj = this.objects.get(req.peer);
    if (!obj || !obj.path) return this.status(from, req, UbusStatus.NOT_FOUND, { objid: req.peer });
    const { method, data, noReply } = req.attrs;
    this.send(obj.owner, MsgType.INVOKE, req.seq, from.id, { objid: obj.id, method, ...(noReply ? { noReply } : {}), user: 'root', group: 'root', data: data ?? [] });
  }

  private eventCall(from: Peer, req: UbusMessage): void {
    const args = blobmsgToTable(req.attrs.data ?? []);
    if (req.attrs.method === 'register') {
      const id = typeof args.object === 'number' ? args.object >>> 0 : 0;
      const obj = this.objects.get(id);
      if (!obj || obj.owner !== from.id || typeof args.pattern !== 'string') return this.status(from, req, UbusStatus.INVALID_ARGUMENT);
      this.listeners.push({ obj: id, pattern: args.pattern });
      return this.status(from, req, UbusStatus.OK);
    }
    if (req.attrs.method === 'send') {
      const data = req.attrs.data?.find((f) => f.name === 'data');
      if (typeof args.id !== 'string') return this.status(from, req, UbusStatus.INVALID_ARGUMENT);
      if (args.id.startsWith('ubus.')) return this.status(from, req, UbusStatus.PERMISSION_DENIED);
      this.deliver(args.id, data?.type === 'table' ? data.value : [], from.id);
      return this.status(from, req, UbusStatus.OK);
    }
    this.status(from, req, UbusStatus.METHOD_NOT_FOUND);
  }

  // ubusd's own events reach every listener; a client's never come back to that client.
  private event(type: string, data: UbusTable): void {
    this.deliver(type, tableToBlobmsg(data), 0);
  }

  private deliver(type: string, data: BlobmsgField[], sender: number): void {
    const seq = ++this.eventSeq & 0xffff;
    const done = new Set<number>();
    for (const l of this.listeners) {
      const obj = this.objects.get(l.obj);
      if (!obj || obj.owner === sender || done.has(obj.id)) continue;
      const match = l.pattern === '*' || (l.pattern.endsWith('*') ? type.startsWith(l.pattern.slice(0, -1)) : type === l.pattern);
      if (!match) continue;
      done.add(obj.id);
      this.send(obj.owner, MsgType.INVOKE, seq, 0, { objid: obj.id, method: type, data });
    }
  }

  private removeObject(obj: Obj): void {
    this.objects.delete(obj.id);
    for (let i = this.listeners.length - 1; i >= 0; i--) if (this.listeners[i]!.obj === obj.id) this.listeners.splice(i, 1);
    for (const s of obj.subscribers) {
      const sub = this.objects.get(s);
      if (sub) this.send(sub.owner, MsgType.UNSUBSCRIBE, 0, 0, { objid: sub.id, target: obj.id });
    }
    for (const t of this.objects.values()) {
      if (t.subscribers.delete(obj.id) && t.subscribers.size === 0) this.send(t.owner, MsgType.NOTIFY, 0, 0, { objid: t.id, active: false });
    }
    if (obj.path) this.event('ubus.object.remove', { id: obj.id | 0, path: obj.path });
  }

  private gone(peer: Peer): void {
    this.peers.delete(peer.id);
    for (const o of [...this.objects.values()]) if (o.owner === peer.id) this.removeObject(o);
  }
}
