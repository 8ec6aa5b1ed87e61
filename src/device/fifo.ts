// A first-in first-out queue of small integers (packet slots) on a growable ring: push and
// shift in O(1) without allocating per packet.

export class IntFifo {
  private buf = new Int32Array(64);
  private head = 0;
  length = 0;

  push(v: number): void {
    if (this.length === this.buf.length) this.grow();
    this.buf[(this.head + this.length++) & (this.buf.length - 1)] = v;
  }

  unshift(v: number): void {
    if (this.length === this.buf.length) this.grow();
    this.head = (this.head - 1) & (this.buf.length - 1);
    this.buf[this.head] = v;
    this.length++;
  }

  shift(): number {
    const v = this.buf[this.head]!;
    this.head = (this.head + 1) & (this.buf.length - 1);
    this.length--;
    return v;
  }

  /** Removes everything, calling f for each value in order. */
  drain(f: (v: number) => void): void {
    while (this.length) f(this.shift());
  }

  private grow(): void {
    const next = new Int32Array(this.buf.length * 2);
    for (let i = 0; i < this.length; i++) next[i] = this.buf[(this.head + i) & (this.buf.length - 1)]!;
    this.buf = next;
    this.head = 0;
  }
}
