// `npm run dev:ui`: the LuCI page without a router. Serves
//   /cgi-bin/luci/admin/network/bonding   the page: login (LuCI's sysauth cookie), then the
//                                          view, loaded by a stand-in of luci.js (dev/luci/)
//   /luci-static/resources/…               the built view (luci-app-bond/htdocs) and luci.js
//   /ubus                                  a stand-in for uhttpd/rpcd (dev/ubus.ts): bonding
//                                          methods go to a running bondd's control socket
// Options (or environment):
//   --port N (BOND_UI_PORT, 8080; 0 picks one)   --host H (127.0.0.1)
//   --control PATH (BOND_CONTROL, /var/run/bondd.sock)
//   --config FILE   seed for the temporary config directory (files/etc/config/bonding)
//   --config-dir D  use this directory as /etc/config instead of a temporary one
//   --interfaces 'wan=eth1,wwan=wwan0'   what network.interface dump lists
//   --password P    password of root and viewer (empty)
//   --reload        after an apply, tell bondd to reload (procd does it on a router)
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { DEFAULT_CONTROL, request } from '../../src/control/socket.js';
import { UbusStandIn, type Iface } from './ubus.js';
import { UciRpc } from './uci-rpc.js';
import { loginPage, viewPage } from './page.js';

// from build/js/luci-app-bond/dev/ (transpiled) or luci-app-bond/dev/ (sources): the checkout
const here = fileURLToPath(new URL('.', import.meta.url));
export const REPO = resolve(here, here.includes('/build/js/') ? '../../../../' : '../../');
const APP = join(REPO, 'luci-app-bond');
const PAGE = '/cgi-bin/luci/admin/network/bonding';

export interface DevServerOptions {
  port?: number;
  host?: string;
  control?: string;
  config?: string;
  configDir?: string;
  interfaces?: Iface[];
  password?: string;
  reload?: boolean;
  quiet?: boolean;
}

export interface DevServer {
  url: string; // the page
  origin: string;
  configDir: string;
  ubus: UbusStandIn;
  close(): Promise<void>;
}

export const DEFAULT_INTERFACES: Iface[] = [
  { interface: 'lan', device: 'br-lan', up: true, address: '192.168.1.1' },
  { interface: 'wan', device: 'eth1', up: true },
  { interface: 'wan6', device: 'eth1', up: true },
  { interface: 'wwan', device: 'wwan0', up: true },
  { interface: 'loopback', device: 'lo', up: true, address: '127.0.0.1' },
];

export function parseInterfaces(spec: string): Iface[] {
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const [name, device] = s.split('=');
      return { interface: name!, device: device || name!, up: true };
    });
}

// The stand-in of luci.js, bundled for the browser once per start.
async function bundleLuci(): Promise<string> {
  const r = await build({
    entryPoints: [join(APP, 'dev/luci/index.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    logLevel: 'warning',
  });
  return r.outputFiles[0]!.text;
}

const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png' };

function cookies(req: IncomingMessage): Record<string, string> {
  return Object.fromEntries((req.headers.cookie ?? '').split(';').map((c) => c.trim().split('=')).filter((p) => p.length === 2) as [string, string][]);
}

async function body(req: IncomingMessage, limit = 65536): Promise<string> {
  let data = '';
  for await (const chunk of req) {
    data += chunk;
    if (data.length > limit) throw new Error('request body too large');
  }
  return data;
}

function send(res: ServerResponse, status: number, type: string, text: string | Buffer, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', ...headers });
  res.end(text);
}

export async function startDevServer(o: DevServerOptions = {}): Promise<DevServer> {
  const ownDir = !o.configDir;
  const configDir = o.configDir ?? mkdtempSync(join(tmpdir(), 'bond-dev-ui-'));
  const seed = o.config ?? join(REPO, 'files/etc/config/bonding');
  if (ownDir || !existsSync(join(configDir, 'bonding'))) copyFileSync(seed, join(configDir, 'bonding'));
  const control = o.control ?? DEFAULT_CONTROL;
  const log = o.quiet ? () => {} : (s: string) => process.stderr.write(`dev-ui: ${s}\n`);

  const uci = new UciRpc(configDir, (configs) => {
    log(`applied ${configs.join(', ')} in ${configDir}`);
    if (o.reload && configs.includes('bonding')) request(control, 'reload').catch((e: Error) => log(`reload: ${e.message}`));
  });
  const password = o.password ?? '';
  const ubus = new UbusStandIn({
    control,
    aclDir: join(APP, 'root/usr/share/rpcd/acl.d'),
    users: { root: { password, access: 'all' }, viewer: { password, access: 'read' } },
    interfaces: o.interfaces ?? DEFAULT_INTERFACES,
    uci,
  });
  const luciJs = await bundleLuci();

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const theme = url.searchParams.get('theme');
    if (path === '/ubus' || path.startsWith('/ubus/')) {
      if (req.method !== 'POST') return send(res, 400, 'text/plain', 'Bad request');
      let parsed: unknown;
      try {
        parsed = JSON.parse(await body(req));
      } catch {
        return send(res, 200, 'application/json', JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } }));
      }
      return send(res, 200, 'application/json', JSON.stringify(await ubus.handle(parsed)));
    }
    if (path === '/' || path === '/cgi-bin/luci' || path === '/cgi-bin/luci/') return send(res, 302, 'text/plain', '', { Location: PAGE });
    if (path === PAGE) {
      if (req.method === 'POST') {
        const form = new URLSearchParams(await body(req));
        const s = ubus.login(form.get('luci_username') ?? '', form.get('luci_password') ?? '');
        if (!s) return send(res, 403, 'text/html; charset=utf-8', loginPage(theme, true));
        return send(res, 302, 'text/plain', '', { Location: req.url ?? PAGE, 'Set-Cookie': `sysauth_http=${s.id}; path=/cgi-bin/luci/; SameSite=Strict; HttpOnly` });
      }
      const s = ubus.session(cookies(req).sysauth_http);
      if (!s) return send(res, 403, 'text/html; charset=utf-8', loginPage(theme, false));
      return send(res, 200, 'text/html; charset=utf-8', viewPage({ sessionid: s.id, user: s.username, readonly: ubus.isReadonly(s.id), theme, lang: url.searchParams.get('lang') }));
    }
    if (path === '/luci-static/resources/luci.js') return send(res, 200, TYPES['.js']!, luciJs);
    if (path === '/luci-static/dev/theme.css') return send(res, 200, TYPES['.css']!, readFileSync(join(APP, 'dev/theme.css')));
    if (path.startsWith('/luci-static/')) {
      const file = normalize(join(APP, 'htdocs', path));
      if (!file.startsWith(join(APP, 'htdocs') + '/') || !existsSync(file) || !statSync(file).isFile()) return send(res, 404, 'text/plain', 'Not found');
      return send(res, 200, TYPES[extname(file)] ?? 'application/octet-stream', readFileSync(file));
    }
    send(res, 404, 'text/plain', 'Not found');
  };

  const server: Server = createServer((req, res) => {
    handler(req, res).catch((e: Error) => {
      log(`${req.method} ${req.url}: ${e.stack ?? e.message}`);
      if (!res.headersSent) send(res, 500, 'text/plain', 'Internal error');
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(o.port ?? 8080, o.host ?? '127.0.0.1', () => ok());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : o.port ?? 8080;
  const origin = `http://${o.host ?? '127.0.0.1'}:${port}`;
  return {
    url: origin + PAGE,
    origin,
    configDir,
    ubus,
    close: async () => {
      uci.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      if (ownDir) rmSync(configDir, { recursive: true, force: true });
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      control: { type: 'string' },
      config: { type: 'string' },
      'config-dir': { type: 'string' },
      interfaces: { type: 'string' },
      password: { type: 'string' },
      reload: { type: 'boolean' },
    },
  });
  const view = join(APP, 'htdocs/luci-static/resources/view/bonding/overview.js');
  if (!existsSync(view)) throw new Error(`${view} is missing: run node scripts/build.mjs (npm run dev:ui does)`);
  const interfaces = values.interfaces ?? process.env.BOND_UI_INTERFACES;
  const control = values.control ?? process.env.BOND_CONTROL ?? DEFAULT_CONTROL;
  const s = await startDevServer({
    port: Number(values.port ?? process.env.BOND_UI_PORT ?? 8080),
    host: values.host ?? '127.0.0.1',
    control,
    config: values.config,
    configDir: values['config-dir'],
    interfaces: interfaces ? parseInterfaces(interfaces) : undefined,
    password: values.password ?? process.env.BOND_UI_PASSWORD,
    reload: values.reload,
  });
  console.log(`bond dev UI: ${s.url}  (user root or viewer, password ${values.password ? '(given)' : '(empty)'})`);
  console.log(`  /etc/config stand-in: ${s.configDir}`);
  console.log(`  bondd control socket: ${control}`);
  const stop = () => void s.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: Error) => {
    console.error(`dev-ui: ${e.message}`);
    process.exit(1);
  });
}
