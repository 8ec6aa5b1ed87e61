// `bondd [--config FILE] [--control PATH] [--ubus-socket PATH]`: runs the daemon until
// SIGTERM/SIGINT (which remove every route, rule, firewall rule and device it created).
// SIGHUP reloads the configuration. Where ubusd runs (OpenWrt) it also publishes the ubus
// object `bonding` and follows netifd; elsewhere the control socket is the only API.
import { DEFAULT_CONFIG, formatProblem, loadConfig } from '../config/load.js';
import { Daemon } from '../daemon.js';
import { serveControl, DEFAULT_CONTROL } from '../control/socket.js';
import { Log } from '../log.js';
import { DEFAULT_SOCKET } from '../ubus/client.js';
import { attachUbus, type UbusAttachment } from '../openwrt/attach.js';

export async function run(opts: Record<string, string | boolean>): Promise<number> {
  const file = (opts.config as string) ?? DEFAULT_CONFIG;
  const { config, problems } = loadConfig(file);
  for (const p of problems) process.stderr.write(formatProblem(p) + '\n');
  if (!config) {
    process.stderr.write(`bondd: not starting: ${file} has errors\n`);
    return 1;
  }
  if (process.getuid?.() !== 0) process.stderr.write('bondd: warning: not running as root; creating the TUN device and routes will fail\n');
  const log = new Log(config.logLevel);
  const daemon = new Daemon(config, log);
  const control = await serveControl((opts.control as string) ?? DEFAULT_CONTROL, daemon);
  let ubus: UbusAttachment | undefined;
  try {
    ubus = await attachUbus((opts['ubus-socket'] as string) ?? DEFAULT_SOCKET, daemon, log);
  } catch (err) {
    log.error(`ubus: ${(err as Error).message}`);
    control.close();
    return 1;
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: shutting down`);
    control.close();
    try {
      await daemon.stop();
    } catch (err) {
      log.error(`cleanup: ${(err as Error).message}`);
    }
    await ubus?.close().catch(() => {});
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGHUP', () => void daemon.reload().catch(() => {}));
  try {
    await daemon.start();
  } catch (err) {
    log.error(`start: ${(err as Error).message}`);
    await daemon.stop().catch(() => {});
    await ubus?.close().catch(() => {});
    control.close();
    return 1;
  }
  log.info(`bondd ${config.mode} running (${file})`);
  return new Promise(() => {}); // runs until a signal
}
