// The daemon's API: the same methods on the ubus object `bonding` and on the control socket.
//   status                 the status document
//   links                  just the links (client) or every peer's links (server)
//   reload                 re-read the configuration (as SIGHUP)
//   set_link {name, enabled}  take a link out of use, or back, until the next reload
// Arguments are checked against SIGNATURES; errors carry ubus's status names.

export type ArgType = 'string' | 'bool' | 'int32';
export const SIGNATURES: Record<string, Record<string, ArgType>> = {
  status: {},
  links: {},
  reload: {},
  set_link: { name: 'string', enabled: 'bool' },
};

export type ApiErrorCode = 'INVALID_ARGUMENT' | 'NOT_FOUND' | 'METHOD_NOT_FOUND' | 'UNKNOWN_ERROR';

export class ApiError extends Error {
  constructor(readonly code: ApiErrorCode, message: string) {
    super(message);
  }
}

export interface Api {
  status(): unknown;
  links(): unknown;
  reload(): Promise<unknown>;
  setLink(name: string, enabled: boolean): unknown;
}

/** Checks the arguments of a call and runs it. */
export async function call(api: Api, method: string, params: unknown): Promise<unknown> {
  // own keys only: 'constructor' or 'toString' are not methods
  const sig = Object.hasOwn(SIGNATURES, method) ? SIGNATURES[method] : undefined;
  if (!sig) throw new ApiError('METHOD_NOT_FOUND', `no method '${method}'`);
  const args = (params ?? {}) as Record<string, unknown>;
  if (typeof args !== 'object' || Array.isArray(args)) throw new ApiError('INVALID_ARGUMENT', 'arguments must be an object');
  for (const [name, type] of Object.entries(sig)) {
    const v = args[name];
    const ok = type === 'string' ? typeof v === 'string' : type === 'bool' ? typeof v === 'boolean' || v === 0 || v === 1 : Number.isInteger(v);
    if (!ok) throw new ApiError('INVALID_ARGUMENT', `argument '${name}' must be a ${type === 'bool' ? 'boolean' : type}`);
  }
  switch (method) {
    case 'status': return api.status();
    case 'links': return api.links();
    case 'reload': return api.reload();
    default: return api.setLink(args.name as string, args.enabled === true || args.enabled === 1);
  }
}
