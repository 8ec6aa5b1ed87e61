// LuCI's rpc module (rpc.js): JSON-RPC 2.0 to /ubus with the session id, `declare` with
// params/expect/filter/reject as rpc.js handles them (see handleCallReply there).
import type { RpcDeclaration } from '../../src/luci.js';

let requestId = 1;

export class RpcError extends Error {
  override name = 'RPCError';
}

export function createRpc(env: { sessionid: string; ubuspath: string }) {
  const call = async (object: string, method: string, params: Record<string, unknown>) => {
    const body = { jsonrpc: '2.0', id: requestId++, method: 'call', params: [env.sessionid, object, method, params] };
    const res = await fetch(`${env.ubuspath}/${object}.${method}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new RpcError(`RPC call to ${object}/${method} failed with HTTP error ${res.status}: ${res.statusText || '?'}`);
    return res.json() as Promise<{ jsonrpc?: string; result?: unknown[]; error?: { code: number; message: string } }>;
  };

  return {
    declare(o: RpcDeclaration) {
      return async (...args: unknown[]) => {
        const params: Record<string, unknown> = {};
        const names = o.params ?? [];
        names.forEach((n, i) => (params[n] = args[i]));
        const msg = await call(o.object, o.method, params);
        if (msg.jsonrpc !== '2.0') throw new RpcError(`RPC call to ${o.object}/${o.method} returned invalid message frame`);
        if (msg.error) throw new RpcError(`RPC call to ${o.object}/${o.method} failed with error ${msg.error.code}: ${msg.error.message}`);
        const result = msg.result ?? [];
        if (o.reject && result[0] !== 0) throw new RpcError(`RPC call to ${o.object}/${o.method} failed with ubus code ${String(result[0])}`);
        let ret: unknown = result.length > 1 ? result[1] : result[0];
        if (o.expect) {
          const [key, dflt] = Object.entries(o.expect)[0]!;
          if (ret !== null && ret !== undefined && key !== '') ret = (ret as Record<string, unknown>)[key];
          const type = Object.prototype.toString;
          if (ret === null || ret === undefined || type.call(ret) !== type.call(dflt)) ret = dflt;
        }
        return o.filter ? o.filter(ret, names.map((_n, i) => args[i]), ...args.slice(names.length)) : ret;
      };
    },
    getSessionID: () => env.sessionid,
  };
}
