// Typed access to the Node-API addon (src/native/bond.c). The compiled bond.node sits next to
// the bundle (dist/bond.node, /usr/lib/bond/bond.node) or in node-gyp's build/Release.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Addon {
  tunOpen(name: string): [fd: number, name: string];
  readBatch(fd: number, slab: Buffer, offsets: Int32Array, cap: number, max: number, lengths: Int32Array): number;
  writeBatch(fd: number, slab: Buffer, offsets: Int32Array, lengths: Int32Array, count: number): number;
  udpOpen(family: 4 | 6, address: string, port: number, device: string, mark: number, bufBytes: number): [fd: number, port: number];
  udpRecv(fd: number, slab: Buffer, offsets: Int32Array, cap: number, max: number, lengths: Int32Array, addrs: Buffer): number;
  udpSend(fd: number, slab: Buffer, offsets: Int32Array, lengths: Int32Array, addrs: Buffer, count: number, status: Int32Array): number;
  setsockopt(fd: number, level: number, name: number, value: number | string): void;
  close(fd: number): void;
  pollStart(fd: number, onReadable: (err?: Error) => void): object;
  pollStop(handle: object): void;
  aeadSeal(
    alg: 0 | 1, keys: Buffer, keyIdx: Int32Array, out: Buffer, outOffsets: Int32Array, adLen: number,
    src: Buffer, srcOffsets: Int32Array, srcLengths: Int32Array, nonces: Buffer, count: number, outLengths: Int32Array,
  ): number;
  aeadOpen(
    alg: 0 | 1, keys: Buffer, keyIdx: Int32Array, slab: Buffer, offsets: Int32Array, lengths: Int32Array,
    adLen: number, nonces: Buffer, count: number,
  ): number;
}

function locate(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [process.env.BOND_ADDON, join(here, 'bond.node')];
  for (let dir = here; dirname(dir) !== dir; dir = dirname(dir)) candidates.push(join(dir, 'build/Release/bond.node'));
  const found = candidates.find((p) => p && existsSync(p));
  if (!found) throw new Error(`bond.node (the native addon) not found; looked in ${candidates.filter(Boolean).join(', ')}. Run 'npm ci' (or 'npx node-gyp rebuild').`);
  return found;
}

let loaded: Addon | undefined;
export function addon(): Addon {
  loaded ??= createRequire(import.meta.url)(locate()) as Addon;
  return loaded;
}
