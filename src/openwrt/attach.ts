// bondd on a system with ubusd (OpenWrt): connects, makes netifd the source of links' devices,
// addresses and gateways, publishes the object `bonding` and sends the daemon's events. Without
// a ubus socket (a VPS, the lab) none of this runs and the control socket is the only API.
import { existsSync } from 'node:fs';
import { UbusClient } from '../ubus/client.js';
import { UbusError, UbusStatus } from '../ubus/status.js';
import { NetifdResolver } from './netifd.js';
import { OBJECT, publishApi, sendEvents } from './ubus-object.js';
import type { Daemon } from '../daemon.js';
import type { Log } from '../log.js';

// ubusd may be restarting while we start (procd restarts it): a few tries before giving up.
const CONNECT_TRIES = 5;
const CONNECT_RETRY_MS = 1_000;

export interface UbusAttachment {
  ubus: UbusClient;
  netifd: NetifdResolver;
  close(): Promise<void>;
}

/**
 * Returns undefined when there is no socket at `path`. Must run before daemon.start(), which
 * creates the client with the resolver. Throws when another bondd owns the object `bonding`.
 */
export async function attachUbus(path: string, daemon: Daemon, log: Log): Promise<UbusAttachment | undefined> {
  if (!existsSync(path)) return undefined;
  const ubus = await connect(path, log);
  if (!ubus) return undefined;
  try {
    const netifd = new NetifdResolver(ubus, { log });
    netifd.onChange = (iface) => {
      log.debug(`netifd: interface ${iface} changed`);
      daemon.recheckLinks();
    };
    await netifd.watch();
    daemon.resolver = netifd;
    try {
      await publishApi(ubus, daemon, log);
    } catch (err) {
      if (err instanceof UbusError && err.code === UbusStatus.INVALID_ARGUMENT) {
        throw new Error(`object '${OBJECT}' is taken: another bondd is running`);
      }
      throw err;
    }
    sendEvents(ubus, daemon, log);
    log.info(`ubus: connected to ${path}, object '${OBJECT}' published`);
    return {
      ubus,
      netifd,
      async close() {
        daemon.onLinkEvent = daemon.onTunnelEvent = undefined;
        await netifd.close();
        await ubus.close();
      },
    };
  } catch (err) {
    await ubus.close().catch(() => undefined);
    throw err;
  }
}

async function connect(path: string, log: Log): Promise<UbusClient | undefined> {
  for (let i = 1; ; i++) {
    try {
      return await UbusClient.connect(path, { onError: (err) => log.warn(`ubus: ${err.message}`) });
    } catch (err) {
      if (i >= CONNECT_TRIES) {
        log.error(`ubus: cannot connect to ${path}: ${(err as Error).message}; running without ubus (no object '${OBJECT}', links with 'option interface' will not come up)`);
        return undefined;
      }
      await new Promise((r) => setTimeout(r, CONNECT_RETRY_MS));
    }
  }
}
