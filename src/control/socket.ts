// The control socket: a unix socket speaking the API as JSON lines, for `bondd status`, the
// lab and the development UI where there is no ubus. Root only (mode 0600).
//   → {"id": 1, "method": "status", "params": {}}
//   ← {"id": 1, "result": {...}}   or   {"id": 1, "error": {"code": "NOT_FOUND", "message": "…"}}
import { createServer, connect, type Server } from 'node:net';
import { chmodSync, unlinkSync, existsSync } from 'node:fs';
import { call, ApiError, type Api } from './api.js';

export const DEFAULT_CONTROL = '/var/run/bondd.sock';
const MAX_LINE = 1 << 20;

export async function serveControl(path: string, api: Api): Promise<Server> {
  if (existsSync(path)) {
    if (await answers(path)) throw new Error(`${path}: another bondd is running (use --control to run a second one)`);
    unlinkSync(path);
  }
  const server = createServer((sock) => {
    let buf = '';
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      buf += d;
      if (buf.length > MAX_LINE) return void sock.destroy();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        void respond(api, line).then((reply) => sock.writable && sock.write(reply + '\n'));
      }
    });
    sock.on('error', () => sock.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  chmodSync(path, 0o600);
  return server;
}

async function respond(api: Api, line: string): Promise<string> {
  let id: unknown = null;
  try {
    const req = JSON.parse(line) as { id?: unknown; method?: unknown; params?: unknown };
    id = req.id ?? null;
    if (typeof req.method !== 'string') throw new ApiError('INVALID_ARGUMENT', 'request needs a method');
    return JSON.stringify({ id, result: await call(api, req.method, req.params) });
  } catch (err) {
    const code = err instanceof ApiError ? err.code : err instanceof SyntaxError ? 'INVALID_ARGUMENT' : 'UNKNOWN_ERROR';
    return JSON.stringify({ id, error: { code, message: (err as Error).message } });
  }
}

function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path, () => (s.destroy(), resolve(true)));
    s.on('error', () => resolve(false));
  });
}

/** Calls one method on a running daemon's control socket. */
export function request(path: string, method: string, params: object = {}, timeoutMs = 5000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const s = connect(path);
    let buf = '';
    const timer = setTimeout(() => (s.destroy(), reject(new Error(`${path}: no answer within ${timeoutMs} ms`))), timeoutMs);
    s.on('connect', () => s.write(JSON.stringify({ id: 1, method, params }) + '\n'));
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      s.destroy();
      const reply = JSON.parse(buf.slice(0, nl)) as { result?: unknown; error?: { code: string; message: string } };
      if (reply.error) reject(new ApiError(reply.error.code as ApiError['code'], reply.error.message));
      else resolve(reply.result);
    });
    s.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new Error(err.code === 'ENOENT' || err.code === 'ECONNREFUSED' ? `bondd is not running (no control socket at ${path})` : `${path}: ${err.message}`));
    });
  });
}
