// Crypto sessions: the keys one handshake produced, and the table the addon reads keys from.
// A bond keeps its current session for sending and still accepts packets under the previous
// one for a while after a rekey, so nothing in flight is lost at the switch.
import type { SessionKeys } from '../wire/handshake.js';

const MAX_KEYS = 4096;

/** 32-byte keys in one buffer, addressed by index, as aeadSeal/aeadOpen take them. */
export class KeyTable {
  readonly keys = Buffer.alloc(MAX_KEYS * 32);
  private readonly free: number[] = [];
  private used = 0;

  add(key: Buffer): number {
    const i = this.free.pop() ?? this.used++;
    if (i >= MAX_KEYS) throw new Error('too many sessions');
    key.copy(this.keys, i * 32);
    return i;
  }

  remove(i: number): void {
    this.keys.fill(0, i * 32, i * 32 + 32);
    this.free.push(i);
  }
}

export class Session {
  readonly sendKey: number;
  readonly recvKey: number;
  /** The server only sends under a new session once the client has used it. */
  confirmed: boolean;

  constructor(
    private readonly table: KeyTable,
    keys: SessionKeys,
    readonly localIndex: number, // what the peer puts in packets to us
    readonly remoteIndex: number, // what we put in packets to the peer
    readonly createdAt: number,
    confirmed: boolean,
    /** Not a rekey: both sides start their sequence numbers over once it is confirmed. */
    readonly fresh = false,
  ) {
    this.sendKey = table.add(keys.send);
    this.recvKey = table.add(keys.recv);
    this.confirmed = confirmed;
  }

  destroy(): void {
    this.table.remove(this.sendKey);
    this.table.remove(this.recvKey);
  }
}
