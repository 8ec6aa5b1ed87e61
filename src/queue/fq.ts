// The tunnel's own queue: packets read from the TUN device wait here until a link has room.
// It is fair-queued per lane (fq_codel's design, RFC 8290): each lane has its own queue and
// its own CoDel, lanes take turns a quantum at a time (deficit round robin), and a lane that
// has just become active goes first. A ping, a call or a game's packets therefore never wait
// behind a bulk download's queue, while the bulk flow keeps the standing queue it needs to
// keep the links busy. Urgent packets (pure TCP ACKs) go before all.
import { LANES } from '../reorder/lanes.js';
import { Codel } from './codel.js';

const QUANTUM = 1514;
const INITIAL_RING = 64;

export interface Queued {
  slot: number;
  size: number;
  lane: number;
  urgent: boolean;
  backlog: number; // bytes in the whole queue when this packet was picked
}

// A lane's packets in a ring that starts small and doubles as needed (up to the whole queue's
// capacity): 65 lanes at full size would be 4 MB per bond, per peer on a server.
class Flow {
  slot = new Int32Array(INITIAL_RING);
  size = new Int32Array(INITIAL_RING);
  at = new Float64Array(INITIAL_RING);
  head = 0;
  count = 0;
  bytes = 0;
  deficit = 0;
  listed: 0 | 1 | 2 = 0; // 0 none, 1 new flows, 2 old flows
  readonly codel = new Codel();

  push(slot: number, size: number, now: number): void {
    if (this.count === this.slot.length) this.grow();
    const i = (this.head + this.count++) % this.slot.length;
    this.slot[i] = slot;
    this.size[i] = size;
    this.at[i] = now;
    this.bytes += size;
  }

  shift(): number {
    const slot = this.slot[this.head]!;
    this.bytes -= this.size[this.head]!;
    this.head = (this.head + 1) % this.slot.length;
    this.count--;
    return slot;
  }

  private grow(): void {
    const n = this.slot.length;
    const slot = new Int32Array(2 * n), size = new Int32Array(2 * n), at = new Float64Array(2 * n);
    for (let k = 0; k < this.count; k++) {
      const i = (this.head + k) % n;
      slot[k] = this.slot[i]!;
      size[k] = this.size[i]!;
      at[k] = this.at[i]!;
    }
    this.slot = slot;
    this.size = size;
    this.at = at;
    this.head = 0;
  }
}

export class FlowQueue {
  /** Sojourn time above which CoDel acts, and how long it may last, ms (set by the bond). */
  target = 5;
  interval = 100;
  length = 0;
  bytes = 0;
  drops = 0;
  marks = 0;
  overflows = 0;
  private readonly flows: Flow[] = [];
  private readonly urgent: Flow;
  private readonly newFlows: number[] = [];
  private readonly oldFlows: number[] = [];
  private current = -1; // the lane peek chose, until pop

  /**
   * `mark(slot)` tries ECN marking (false: not ECN-capable), `drop(slot)` frees a packet.
   * `capacity` bounds the packets in all lanes together.
   */
  constructor(private readonly capacity: number, private readonly mark: (slot: number) => boolean, private readonly drop: (slot: number) => void) {
    for (let i = 0; i < LANES; i++) this.flows.push(new Flow());
    this.urgent = new Flow();
  }

  /** False when the queue is full even after dropping from the longest lane. */
  push(slot: number, size: number, lane: number, urgent: boolean, now: number): boolean {
    if (this.length === this.capacity && !this.dropFromLongest()) return this.overflows++, false;
    this.length++;
    this.bytes += size;
    if (urgent) {
      this.urgent.push(slot, size, now);
      return true;
    }
    const f = this.flows[lane]!;
    f.push(slot, size, now);
    if (f.listed === 0) {
      f.listed = 1;
      f.deficit = QUANTUM;
      this.newFlows.push(lane);
    }
    return true;
  }

  /** The packet to send next (after CoDel had its say), or null; pop() takes it. */
  peek(now: number, out: Queued): Queued | null {
    if (this.urgent.count) {
      this.current = -2;
      return this.fill(out, this.urgent, -1, true);
    }
    for (;;) {
      const list = this.newFlows.length ? this.newFlows : this.oldFlows;
      if (!list.length) {
        this.current = -1;
        return null;
      }
      const lane = list[0]!;
      const f = this.flows[lane]!;
      if (f.deficit <= 0) {
        // its turn is used up: to the back of the old flows with a new quantum
        f.deficit += QUANTUM;
        list.shift();
        f.listed = 2;
        this.oldFlows.push(lane);
        continue;
      }
      f.codel.interval = this.interval;
      while (f.count && f.codel.shouldDrop(now - f.at[f.head]!, f.bytes, this.target, now)) {
        const slot = f.slot[f.head]!;
        if (this.mark(slot)) {
          this.marks++;
          break;
        }
        this.take(f);
        this.drops++;
        this.drop(slot);
      }
      if (f.count) {
        this.current = lane;
        return this.fill(out, f, lane, false);
      }
      f.codel.idle();
      // empty: a new flow moves to the old list (so a flow cannot stay "new" by emptying),
      // an old flow leaves the lists
      list.shift();
      if (list === this.newFlows && this.oldFlows.length) {
        f.listed = 2;
        this.oldFlows.push(lane);
      } else {
        f.listed = 0;
      }
    }
  }

  /** Removes the packet peek returned. */
  pop(): void {
    if (this.current === -2) this.take(this.urgent);
    else if (this.current >= 0) {
      const f = this.flows[this.current]!;
      f.deficit -= f.size[f.head]!;
      this.take(f);
    }
    this.current = -1;
  }

  private fill(out: Queued, f: Flow, lane: number, urgent: boolean): Queued {
    out.slot = f.slot[f.head]!;
    out.size = f.size[f.head]!;
    out.lane = lane < 0 ? 0 : lane;
    out.urgent = urgent;
    out.backlog = this.bytes;
    return out;
  }

  private take(f: Flow): number {
    const size = f.size[f.head]!;
    this.length--;
    this.bytes -= size;
    return f.shift();
  }

  // fq_codel's answer to a full queue: the fattest flow pays
  private dropFromLongest(): boolean {
    let worst: Flow | undefined;
    for (const f of this.flows) if (f.count && (!worst || f.bytes > worst.bytes)) worst = f;
    if (!worst) return false;
    this.drops++;
    this.drop(this.take(worst));
    return true;
  }
}
