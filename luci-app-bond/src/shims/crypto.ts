// node:crypto in the page: the UCI writer names its temporary files with randomBytes.
import { Bytes } from './buffer.js';

export function randomBytes(n: number): Bytes {
  const b = new Bytes(n);
  globalThis.crypto.getRandomValues(b);
  return b;
}
