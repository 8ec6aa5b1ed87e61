// Replay protection for one sending link's packet counters: a sliding window of the last
// counters (RFC 6479 style, as WireGuard does); also the duplicate filter for bond-wide
// sequence numbers. check() is cheap and runs before
// decryption; accept() runs only after the packet authenticated, so forged packets cannot move
// the window.

export class ReplayWindow {
  private top = -1; // highest accepted counter
  private readonly bits: Uint32Array;
  private readonly window: number;
  private readonly words: number;

  /** `window` counters (a multiple of 32); links reorder little, but late bursts are allowed. */
  constructor(window = 4096) {
    this.window = window;
    this.words = window / 32;
    this.bits = new Uint32Array(this.words);
  }

  // counters pass 2^32 on a busy link within hours: no 32-bit shifts on them
  private word(counter: number): number {
    return Math.floor(counter / 32) % this.words;
  }

  /** False when the counter is too old or was seen already. */
  check(counter: number): boolean {
    if (counter > this.top) return true;
    if (counter <= this.top - this.window) return false;
    return (this.bits[this.word(counter)]! & (1 << (counter & 31))) === 0;
  }

  /** Records an authenticated counter; returns false if it was a replay after all. */
  accept(counter: number): boolean {
    if (!this.check(counter)) return false;
    if (counter > this.top) {
      // clear the words that the window slides over
      const from = Math.floor(this.top / 32) + 1, to = Math.floor(counter / 32);
      if (this.top < 0 || to - from >= this.words) this.bits.fill(0);
      else for (let w = from; w <= to; w++) this.bits[w % this.words] = 0;
      this.top = counter;
    }
    this.bits[this.word(counter)]! |= 1 << (counter & 31);
    return true;
  }

  get highest(): number {
    return this.top;
  }
}

/**
 * The full counter whose low 32 bits are `low`, nearest to `near` (a window's highest): for the
 * bond-wide sequence, which is 32 bits on the wire and wraps within hours on a busy bond.
 */
export function unwrap32(low: number, near: number): number {
  return near < 0 ? low : near + ((low - near) | 0);
}
