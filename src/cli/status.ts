// `bondd status [--json] [--control PATH] [--ubus-socket PATH]`: asks the running daemon and
// prints the table (or the status JSON). Through ubus where ubusd runs (OpenWrt), else, or
// when the daemon is not on ubus, through its control socket. An explicit --control names one
// daemon among several (the lab runs a client and a server on one machine), so it is asked
// directly.
import { existsSync } from 'node:fs';
import { request, DEFAULT_CONTROL } from '../control/socket.js';
import { DEFAULT_SOCKET } from '../ubus/client.js';
import { callDaemon } from '../openwrt/ubus-object.js';
import { statusTable } from '../status/table.js';
import type { Status } from '../status/status.js';

export async function status(opts: Record<string, string | boolean>): Promise<number> {
  let s: Status;
  try {
    s = (await ask(opts)) as Status;
  } catch (err) {
    process.stderr.write(`bondd status: ${(err as Error).message}\n`);
    return 1;
  }
  process.stdout.write(opts.json ? JSON.stringify(s, null, 2) + '\n' : statusTable(s));
  return 0;
}

async function ask(opts: Record<string, string | boolean>): Promise<unknown> {
  const control = opts.control as string | undefined;
  const ubusSocket = (opts['ubus-socket'] as string | undefined) ?? DEFAULT_SOCKET;
  if (control === undefined && existsSync(ubusSocket)) {
    const s = await callDaemon(ubusSocket, 'status');
    if (s) return s;
  }
  return request(control ?? DEFAULT_CONTROL, 'status');
}
