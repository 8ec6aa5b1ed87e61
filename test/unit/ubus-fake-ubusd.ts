// A stand-in for ubusd in tests: a unix socket server in a temporary directory whose
// connections the test drives frame by frame (the real ubusd cannot run here).
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeMessage, encodeMessage, MsgType, type UbusMessage } from '../../src/ubus/message.js';

export class FakeUbusd {
  private readonly accepted: FakeConn[] = [];
  private readonly acceptWaiters: Array<(c: FakeConn) => void> = [];

  private constructor(
    private readonly server: net.Server,
    private readonly dir: string,
    readonly path: string,
  ) {
    server.on('connection', (sock) => {
      const conn = new FakeConn(sock);
      const w = this.acceptWaiters.shift();
      if (w) w(conn);
      else this.accepted.push(conn);
    });
  }

  static async start(): Promise<FakeUbusd> {
    const dir = mkdtempSync(join(tmpdir(), 'ubus-test-'));
    const path = join(dir, 'ubus.sock');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(path, resolve));
    return new FakeUbusd(server, dir, path);
  }

  accept(timeoutMs = 3000): Promise<FakeConn> {
    const ready = this.accepted.shift();
    if (ready) return Promise.resolve(ready);
    return withTimeout(new Promise((resolve) => this.acceptWaiters.push(resolve)), timeoutMs, 'no connection');
  }

  // Accepts a connection and greets it as ubusd does.
  async acceptHello(clientId: number): Promise<FakeConn> {
    const conn = await this.accept();
    conn.send({ type: MsgType.HELLO, seq: 0, peer: clientId, attrs: {} });
    return conn;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export class FakeConn {
  private buf = Buffer.alloc(0);
  private readonly frames: Buffer[] = [];
  private readonly waiters: Array<(f: Buffer) => void> = [];
  readonly closed: Promise<void>;

  constructor(private readonly sock: net.Socket) {
    sock.on('data', (chunk: Buffer) => {
      this.buf = Buffer.concat([this.buf, chunk]);
      while (this.buf.length >= 12) {
        const total = 8 + (this.buf.readUInt32BE(8) & 0xffffff);
        if (this.buf.length < total) break;
        const frame = this.buf.subarray(0, total);
        this.buf = this.buf.subarray(total);
        const w = this.waiters.shift();
        if (w) w(frame);
        else this.frames.push(frame);
      }
    });
    sock.on('error', () => undefined);
    this.closed = new Promise((resolve) => sock.on('close', () => resolve()));
  }

  // The next complete frame from the client.
  next(timeoutMs = 3000): Promise<Buffer> {
    const ready = this.frames.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const w = (f: Buffer) => {
        clearTimeout(t);
        resolve(f);
      };
      const t = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(new Error(`no frame from the client within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  async nextMessage(timeoutMs?: number): Promise<UbusMessage> {
    return decodeMessage(await this.next(timeoutMs));
  }

  // Resolves if the client sends nothing for `ms`.
  async quiet(ms: number): Promise<void> {
    const got = await this.next(ms).catch(() => null);
    if (got) throw new Error(`unexpected frame ${got.toString('hex')}`);
  }

  send(msg: UbusMessage | Buffer): void {
    this.sock.write(Buffer.isBuffer(msg) ? msg : encodeMessage(msg));
  }

  // Writes `chunk` bytes at a time with a pause after each, so that the client's reads
  // end in the middle of headers and attributes.
  async trickle(msg: UbusMessage | Buffer, chunk: number): Promise<void> {
    const bytes = Buffer.isBuffer(msg) ? msg : encodeMessage(msg);
    for (let at = 0; at < bytes.length; at += chunk) {
      this.sock.write(bytes.subarray(at, at + chunk));
      await sleep(1);
    }
  }

  end(): void {
    this.sock.destroy();
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}
