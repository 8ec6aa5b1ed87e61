// The receiver's reorder buffer: packets are released to the TUN device in order per lane.
//   push   in order: release at once, and whatever waited behind it
//          ahead of a hole: wait, at most `holdMs` after the hole appeared
//          behind what was already released (the hole timed out, a late repair): release now,
//          counted as late, since a late packet still spares TCP a retransmission
//   skip   the sender gave up on a packet: stop waiting for it
//   expire holes whose time is up are passed over
// The hold time is set from outside (the links' delay spread and jitter, the repair time).
// Duplicates (repairs, redundant copies) are dropped by bond-wide sequence number before this.
import { LANES } from './lanes.js';

const RING = 4096; // packets waiting per lane; a packet further ahead gives up the hole at once
const EMPTY = -1, SKIPPED = -2;

class Lane {
  next = -1; // lane sequence expected next (-1: nothing seen yet)
  waiting = 0; // packets and skip marks in the ring
  holeSince = 0; // when the current head-of-line hole was first noticed
  readonly slot = new Int32Array(RING).fill(EMPTY);
  readonly arrived = new Float64Array(RING);
}

export interface ReorderStats {
  releasedLate: number;
  timeouts: number;
  skipped: number;
  holdsMs: number[]; // recent hole durations, for percentiles in the status
}

export class ReorderBuffer {
  holdMs = 50;
  readonly stats: ReorderStats = { releasedLate: 0, timeouts: 0, skipped: 0, holdsMs: [] };
  private readonly lanes: (Lane | undefined)[] = new Array(LANES);
  private readonly blocked = new Set<number>(); // lanes with a hole

  /** release(slot, late) hands a packet on; free(slot) drops one (a duplicate). */
  constructor(private readonly release: (slot: number, late: boolean) => void, private readonly free: (slot: number) => void) {}

  push(lane: number, seq: number, slot: number, now: number): void {
    const l = (this.lanes[lane] ??= new Lane());
    if (l.next < 0) l.next = seq;
    const d = (seq - l.next) | 0; // lane sequence numbers wrap at 2^32
    if (d < 0) {
      this.stats.releasedLate++;
      this.release(slot, true);
    } else if (d === 0) {
      this.release(slot, false);
      this.advance(lane, l, now);
    } else if (d >= RING) {
      if (l.waiting) this.recordHold(l, now);
      this.passTo(lane, l, seq);
      this.push(lane, seq, slot, now);
    } else if (l.slot[seq % RING] !== EMPTY) {
      this.free(slot);
    } else {
      l.slot[seq % RING] = slot;
      l.arrived[seq % RING] = now;
      this.wait(lane, l, now);
    }
  }

  skip(lane: number, seq: number, now: number): void {
    const l = this.lanes[lane];
    if (!l || l.next < 0) return;
    const d = (seq - l.next) | 0;
    if (d < 0 || d >= RING || l.slot[seq % RING] !== EMPTY) return;
    this.stats.skipped++;
    if (d === 0) {
      this.advance(lane, l, now);
    } else {
      l.slot[seq % RING] = SKIPPED;
      this.wait(lane, l, now);
    }
  }

  /** Passes over holes whose time is up; returns when the next one expires, or Infinity. */
  expire(now: number): number {
    let next = Infinity;
    for (const lane of this.blocked) {
      const l = this.lanes[lane]!;
      if (now - l.holeSince >= this.holdMs) {
        this.stats.timeouts++;
        while (l.slot[l.next % RING] === EMPTY) l.next = (l.next + 1) >>> 0;
        this.recordHold(l, now);
        this.drain(lane, l, now);
      }
      if (l.waiting) next = Math.min(next, l.holeSince + this.holdMs);
    }
    return next;
  }

  /** Packets waiting in all lanes. */
  get waiting(): number {
    let n = 0;
    for (const lane of this.blocked) n += this.lanes[lane]!.waiting;
    return n;
  }

  /** Drops everything waiting (shutdown, or a fresh session whose sequence numbers start over). */
  clear(): void {
    for (const lane of this.blocked) {
      const l = this.lanes[lane]!;
      for (let i = 0; i < RING && l.waiting; i++) {
        const s = l.slot[i]!;
        if (s === EMPTY) continue;
        if (s >= 0) this.free(s);
        l.slot[i] = EMPTY;
        l.waiting--;
      }
    }
    this.blocked.clear();
    this.lanes.fill(undefined);
  }

  private wait(lane: number, l: Lane, now: number): void {
    if (l.waiting++ === 0) {
      l.holeSince = now;
      this.blocked.add(lane);
    }
  }

  // The head of the lane was released or skipped: move on, and release what waited behind it.
  private advance(lane: number, l: Lane, now: number): void {
    l.next = (l.next + 1) >>> 0;
    if (l.waiting === 0) return;
    if (l.slot[l.next % RING] !== EMPTY) this.recordHold(l, now);
    this.drain(lane, l, now);
  }

  private drain(lane: number, l: Lane, now: number): void {
    while (l.waiting) {
      const i = l.next % RING;
      const s = l.slot[i]!;
      if (s === EMPTY) break;
      l.slot[i] = EMPTY;
      l.waiting--;
      if (s >= 0) this.release(s, false);
      l.next = (l.next + 1) >>> 0;
    }
    if (l.waiting === 0) {
      this.blocked.delete(lane);
      return;
    }
    // another hole: it began when the first packet behind it arrived
    for (let k = l.next; ; k = (k + 1) >>> 0) {
      const s = l.slot[k % RING]!;
      if (s !== EMPTY) {
        l.holeSince = s >= 0 ? l.arrived[k % RING]! : now;
        return;
      }
    }
  }

  // Releases (in order) everything waiting, all of it before `to`, and expects `to` next.
  private passTo(lane: number, l: Lane, to: number): void {
    while (l.waiting && ((to - l.next) | 0) > 0) {
      const i = l.next % RING;
      const s = l.slot[i]!;
      if (s !== EMPTY) {
        l.slot[i] = EMPTY;
        l.waiting--;
        if (s >= 0) this.release(s, false);
      }
      l.next = (l.next + 1) >>> 0;
    }
    l.next = to;
    this.blocked.delete(lane);
  }

  private recordHold(l: Lane, now: number): void {
    const h = this.stats.holdsMs;
    h.push(now - l.holeSince);
    if (h.length > 1024) h.splice(0, 512);
  }
}
