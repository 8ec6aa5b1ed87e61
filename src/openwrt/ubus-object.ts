// The daemon on ubus: the object `bonding` with the API's methods (status, links, reload,
// set_link), and the events `bonding.link` (a link changed state) and `bonding.state` (the
// tunnel, or in server mode a peer's tunnel, changed state).
import { call, ApiError, SIGNATURES, type Api, type ApiErrorCode } from '../control/api.js';
import { UbusError, UbusStatus } from '../ubus/status.js';
import { UbusClient, type MethodSpec, type UbusObject } from '../ubus/client.js';
import type { UbusTable } from '../ubus/value.js';
import type { Daemon } from '../daemon.js';
import type { Log } from '../log.js';

export const OBJECT = 'bonding';
export const LINK_EVENT = 'bonding.link';
export const STATE_EVENT = 'bonding.state';
// An event that cannot go out within this time is dropped: a later one says more.
const EVENT_TIMEOUT_MS = 5_000;

export const STATUS_OF: Record<ApiErrorCode, number> = {
  INVALID_ARGUMENT: UbusStatus.INVALID_ARGUMENT,
  NOT_FOUND: UbusStatus.NOT_FOUND,
  METHOD_NOT_FOUND: UbusStatus.METHOD_NOT_FOUND,
  UNKNOWN_ERROR: UbusStatus.UNKNOWN_ERROR,
};

/**
 * Publishes the API as the object `bonding`. Fails with UBUS_STATUS_INVALID_ARGUMENT when the
 * name is taken, i.e. another bondd is running.
 */
export function publishApi(ubus: UbusClient, api: Api, log?: Log): Promise<UbusObject> {
  const methods: Record<string, MethodSpec> = {};
  for (const [method, signature] of Object.entries(SIGNATURES)) {
    methods[method] = {
      signature,
      handler: async (args) => {
        try {
          return asTable(await call(api, method, args));
        } catch (err) {
          // ubus carries only a status code; the log keeps the reason.
          if (err instanceof ApiError) {
            log?.debug(`ubus ${OBJECT} ${method}: ${err.message}`);
            throw new UbusError(STATUS_OF[err.code]);
          }
          throw err;
        }
      },
    };
  }
  return ubus.addObject(OBJECT, methods);
}

// The JSON the control socket sends, as a table: fields left undefined disappear and
// non-finite numbers become null there too, so ubus and `bondd status --json` agree.
function asTable(result: unknown): UbusTable {
  if (result === undefined) return {};
  return JSON.parse(JSON.stringify(result)) as UbusTable;
}

/** Sends the daemon's link and tunnel state changes as ubus events. */
export function sendEvents(ubus: UbusClient, daemon: Pick<Daemon, 'onLinkEvent' | 'onTunnelEvent'>, log?: Log): void {
  const send = (type: string, data: UbusTable) => {
    ubus.sendEvent(type, data, { timeoutMs: EVENT_TIMEOUT_MS }).catch((err: Error) => log?.debug(`ubus event ${type}: ${err.message}`));
  };
  daemon.onLinkEvent = (e) => send(LINK_EVENT, { name: e.name, state: e.state, reason: e.reason, ...(e.peer ? { peer: e.peer } : {}) });
  daemon.onTunnelEvent = (e) => send(STATE_EVENT, { state: e.state, ...(e.peer ? { peer: e.peer } : {}) });
}

/**
 * `ubus call bonding <method>` for the command line. Undefined when ubusd or the object is not
 * there (the daemon may run without ubus); other failures (a daemon that does not answer) throw.
 */
export async function callDaemon(path: string, method: string, timeoutMs = 5_000): Promise<UbusTable | undefined> {
  let ubus: UbusClient;
  try {
    ubus = await UbusClient.connect(path, { timeoutMs, onError: () => undefined });
  } catch {
    return undefined;
  }
  try {
    return await ubus.call(OBJECT, method);
  } catch (err) {
    if (err instanceof UbusError && err.code === UbusStatus.NOT_FOUND) return undefined;
    throw err;
  } finally {
    await ubus.close();
  }
}
