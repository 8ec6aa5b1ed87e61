// node:fs in the page: src/config and src/uci import it for reading and writing files, which
// the page never does (it validates text it built itself); calling any of these is a bug.
function unavailable(name: string): never {
  throw new Error(`fs.${name} is not available in the browser`);
}

export const existsSync = (_path: string): boolean => false;
export const readFileSync = (_path: string): never => unavailable('readFileSync');
export const realpathSync = (_path: string): never => unavailable('realpathSync');
export const renameSync = (_from: string, _to: string): never => unavailable('renameSync');
export const statSync = (_path: string): never => unavailable('statSync');
export const unlinkSync = (_path: string): never => unavailable('unlinkSync');
export const writeFileSync = (_path: string, _data: unknown, _opts?: unknown): never => unavailable('writeFileSync');
