// One connection to ubusd, from HELLO to close: frames in and out, request sequence
// numbers, and matching of DATA/STATUS replies to requests by (seq, peer), as libubus
// does. Messages that are not replies (INVOKE, NOTIFY, UNSUBSCRIBE from ubusd) go to
// `onMessage`. Reconnecting and re-registering are the client's business (client.ts);
// a connection is used once.
import net from 'node:net';
import { FrameReader } from './framing.js';
import { decodeMessage, encodeMessage, MsgType, type UbusAttrs, type UbusMessage } from './message.js';
import { UbusError, UbusStatus } from './status.js';

export interface ConnectionEvents {
  onMessage(conn: UbusConnection, msg: UbusMessage): void;
  onClose(conn: UbusConnection): void;
  onError(err: Error): void;
}

export interface RequestOptions {
  timeoutMs: number;
  // Words for error messages, e.g. "call network.interface.wan status".
  context: string;
  onData?: (attrs: UbusAttrs) => void;
}

interface Pending {
  opts: RequestOptions;
  resolve(): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export class UbusConnection {
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  private isOpen = true;

  private constructor(
    private readonly sock: net.Socket,
    readonly clientId: number,
    private readonly events: ConnectionEvents,
  ) {}

  // Resolves once ubusd's HELLO has arrived (it carries our client id), within timeoutMs.
  static open(path: string, events: ConnectionEvents, timeoutMs: number): Promise<UbusConnection> {
    return new Promise((resolve, reject) => {
      const sock = net.createConnection(path);
      const reader = new FrameReader();
      let conn: UbusConnection | undefined;
      const fail = (why: string) => reject(new UbusError(UbusStatus.CONNECTION_FAILED, `ubus ${path}: ${why}`));
      const noHello = setTimeout(() => {
        fail(`no HELLO within ${timeoutMs} ms`);
        sock.destroy();
      }, timeoutMs);
      sock.on('data', (chunk: Buffer) => {
        try {
          for (const frame of reader.push(chunk)) {
            const msg = decodeMessage(frame);
            if (conn) {
              conn.receive(msg);
            } else if (msg.type === MsgType.HELLO) {
              clearTimeout(noHello);
              conn = new UbusConnection(sock, msg.peer, events);
              resolve(conn);
            } else {
              throw new RangeError(`message type ${msg.type} before HELLO`);
            }
          }
        } catch (err) {
          // The stream cannot be resynchronised after a bad frame; start over.
          const e = new Error(`ubus ${path}: protocol error: ${(err as Error).message}`);
          if (conn) events.onError(e);
          else fail(e.message);
          sock.destroy();
        }
      });
      sock.on('error', (err) => {
        if (!conn) fail(err.message);
      });
      sock.on('close', () => {
        clearTimeout(noHello);
        if (conn) conn.closed();
        else fail('closed before HELLO');
      });
    });
  }

  get alive(): boolean {
    return this.isOpen;
  }

  // Sends a request and settles on its STATUS: resolves on 0, rejects with UbusError
  // otherwise; DATA replies before it go to opts.onData.
  request(type: number, peer: number, attrs: UbusAttrs, opts: RequestOptions): Promise<void> {
    let frame: Buffer;
    try {
      frame = encodeMessage({ type, seq: 0, peer, attrs });
    } catch (err) {
      return Promise.reject(new UbusError(UbusStatus.INVALID_ARGUMENT, `${opts.context} (${(err as Error).message})`));
    }
    if (!this.isOpen) return Promise.reject(new UbusError(UbusStatus.CONNECTION_FAILED, opts.context));
    const seq = this.nextSeq(peer);
    frame.writeUInt16BE(seq, 2);
    return new Promise((resolve, reject) => {
      const key = keyOf(seq, peer);
      const timer = setTimeout(() => {
        this.pending.delete(key);
        reject(new UbusError(UbusStatus.TIMEOUT, opts.context));
      }, opts.timeoutMs);
      this.pending.set(key, { opts, resolve, reject, timer });
      this.sock.write(frame);
    });
  }

  // A message that expects no STATUS of its own: replies, and NOTIFY with NO_REPLY.
  // Requests without a reply still take a sequence number, as in libubus. Returns false
  // when the message could not be encoded (the error is reported) or the connection is gone.
  send(type: number, seq: number | 'next', peer: number, attrs: UbusAttrs): boolean {
    if (!this.isOpen) return false;
    let frame: Buffer;
    try {
      frame = encodeMessage({ type, seq: seq === 'next' ? this.nextSeq(peer) : seq, peer, attrs });
    } catch (err) {
      this.events.onError(err as Error);
      return false;
    }
    this.sock.write(frame);
    return true;
  }

  close(): Promise<void> {
    if (!this.isOpen) return Promise.resolve();
    return new Promise((resolve) => {
      this.sock.once('close', () => resolve());
      this.sock.destroy();
    });
  }

  private nextSeq(peer: number): number {
    do this.seq = (this.seq + 1) & 0xffff;
    while (this.pending.has(keyOf(this.seq, peer)));
    return this.seq;
  }

  // A failing callback is reported, never taken for a bad frame.
  private receive(msg: UbusMessage): void {
    try {
      this.dispatch(msg);
    } catch (err) {
      this.events.onError(err as Error);
    }
  }

  private dispatch(msg: UbusMessage): void {
    if (msg.type !== MsgType.STATUS && msg.type !== MsgType.DATA) {
      this.events.onMessage(this, msg);
      return;
    }
    const key = keyOf(msg.seq, msg.peer);
    const p = this.pending.get(key);
    if (!p) return;
    if (msg.type === MsgType.DATA) {
      p.opts.onData?.(msg.attrs);
      return;
    }
    this.pending.delete(key);
    clearTimeout(p.timer);
    // libubus reads a STATUS without a status attribute as INVALID_ARGUMENT.
    const code = msg.attrs.status ?? UbusStatus.INVALID_ARGUMENT;
    if (code === UbusStatus.OK) p.resolve();
    else p.reject(new UbusError(code, p.opts.context));
  }

  private closed(): void {
    this.isOpen = false;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new UbusError(UbusStatus.CONNECTION_FAILED, p.opts.context));
    }
    this.pending.clear();
    this.events.onClose(this);
  }
}

function keyOf(seq: number, peer: number): number {
  return peer * 0x10000 + seq;
}
