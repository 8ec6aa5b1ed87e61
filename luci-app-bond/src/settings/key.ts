// A new key as `bondd genkey` makes one: 32 random bytes in base64.
import { BrowserBuffer } from '../shims/buffer.js';

export function generateKey(): string {
  const bytes = new Uint8Array(32);
  globalThis.crypto.getRandomValues(bytes);
  return BrowserBuffer.from(bytes).toString('base64');
}
