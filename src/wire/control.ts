// Control frames, carried in transport packets of kind CONTROL: [type u8][length u16][body].
// A receiver skips frame types it does not know, so new frames can be added compatibly.
//
//   ACK    per link: [link u8][highest counter, low 32 bits u32][64 counters below it as a
//          bitmap u32 u32][ack delay, 10 µs units u16][queueing delay, 10 µs units u16]
//          — what arrived, per link, and how long the newest packet waited in the network
//          (its one-way delay above the link's minimum): a delay signal that, unlike the RTT,
//          does not include the way back
//   PING   [link u8][id u32]      liveness and the link's own RTT; answered by PONG on the
//   PONG   [link u8][id u32]      same link
//   SKIP   n × [lane u8][laneSeq u32]  packets the sender gave up on: release past them
//   LINKS  JSON: the client's links (name, role, ceilings), for the server's scheduler and status
//   CLOSE  (empty) the sender is shutting down: drop the session now
//   RATES  per link: [link u8][kbit/s u32][loss, 1/100 % u16]: the capacity our congestion
//          control measured for our sending direction (for the peer's status), and the loss we
//          see arriving (the peer's sender turns on FEC for a lossy link)

export const F_ACK = 1, F_PING = 2, F_PONG = 3, F_SKIP = 4, F_LINKS = 5, F_CLOSE = 6, F_RATES = 7;
export const ACK_ENTRY = 17, RATE_ENTRY = 7;

export interface AckEntry {
  link: number;
  highest: number; // low 32 bits of the highest counter received
  maskHi: number; // counters highest-64 .. highest-33
  maskLo: number; // counters highest-32 .. highest-1 (bit 0 = highest-1)
  delayUs: number;
  queueUs: number;
}

/**
 * Whether an acknowledgement's bitmap (maskHi, maskLo) says the counter `d` below its highest
 * arrived: d = 0 is the highest itself, 1..64 are bits, anything else is outside the bitmap.
 */
export function ackBit(maskHi: number, maskLo: number, d: number): boolean {
  if (d === 0) return true;
  if (d < 0 || d > 64) return false;
  return ((d <= 32 ? maskLo >>> (d - 1) : maskHi >>> (d - 33)) & 1) === 1;
}

export interface LinkAnnouncement {
  id: number;
  name: string;
  role: string;
  enabled: boolean;
  maxDownMbps?: number;
  maxUpMbps?: number;
  interface?: string;
  device?: string;
  address?: string;
}

/** Appends frames to buf[start..limit]; the caller seals buf[start..length]. Reusable. */
export class ControlWriter {
  length = 0;
  private start = 0;
  private limit = 0;

  constructor(readonly buf: Buffer) {}

  begin(start: number, limit: number): this {
    this.start = this.length = start;
    this.limit = limit;
    return this;
  }

  get empty(): boolean {
    return this.length === this.start;
  }

  /** Bytes left for frames (each frame also takes a 3-byte header). */
  room(): number {
    return this.limit - this.length;
  }

  private frame(type: number, bodyLength: number): number {
    const at = this.length;
    if (at + 3 + bodyLength > this.limit) throw new RangeError('control packet full');
    this.buf[at] = type;
    this.buf.writeUInt16BE(bodyLength, at + 1);
    this.length = at + 3 + bodyLength;
    return at + 3;
  }

  ack(entries: AckEntry[], count = entries.length): void {
    let at = this.frame(F_ACK, count * ACK_ENTRY);
    for (let i = 0; i < count; i++) {
      const e = entries[i]!;
      this.buf[at] = e.link;
      this.buf.writeUInt32BE(e.highest >>> 0, at + 1);
      this.buf.writeUInt32BE(e.maskHi >>> 0, at + 5);
      this.buf.writeUInt32BE(e.maskLo >>> 0, at + 9);
      this.buf.writeUInt16BE(Math.min(0xffff, Math.round(e.delayUs / 10)), at + 13);
      this.buf.writeUInt16BE(Math.min(0xffff, Math.max(0, Math.round(e.queueUs / 10))), at + 15);
      at += ACK_ENTRY;
    }
  }

  ping(type: typeof F_PING | typeof F_PONG, link: number, id: number): void {
    const at = this.frame(type, 5);
    this.buf[at] = link;
    this.buf.writeUInt32BE(id >>> 0, at + 1);
  }

  skip(lanes: ArrayLike<number>, laneSeqs: ArrayLike<number>, count: number): void {
    let at = this.frame(F_SKIP, count * 5);
    for (let i = 0; i < count; i++, at += 5) {
      this.buf[at] = lanes[i]!;
      this.buf.writeUInt32BE(laneSeqs[i]! >>> 0, at + 1);
    }
  }

  links(links: LinkAnnouncement[]): void {
    const json = Buffer.from(JSON.stringify(links));
    const at = this.frame(F_LINKS, json.length);
    json.copy(this.buf, at);
  }

  close(): void {
    this.frame(F_CLOSE, 0);
  }

  rates(links: ArrayLike<number>, kbps: ArrayLike<number>, lossPct: ArrayLike<number>, count: number): void {
    let at = this.frame(F_RATES, count * RATE_ENTRY);
    for (let i = 0; i < count; i++, at += RATE_ENTRY) {
      this.buf[at] = links[i]!;
      this.buf.writeUInt32BE(Math.min(0xffffffff, Math.round(kbps[i]!)), at + 1);
      this.buf.writeUInt16BE(Math.min(0xffff, Math.round(lossPct[i]! * 100)), at + 5);
    }
  }
}

const scratchAck: AckEntry = { link: 0, highest: 0, maskHi: 0, maskLo: 0, delayUs: 0, queueUs: 0 };

export interface ControlHandler {
  /** One acknowledgement entry; `e` is reused for the next one: read it, do not keep it. */
  ack(e: AckEntry): void;
  ping(link: number, id: number): void;
  pong(link: number, id: number): void;
  skip(lane: number, laneSeq: number): void;
  links(links: LinkAnnouncement[]): void;
  close(): void;
  rate(link: number, kbps: number, lossPct: number): void;
}

/** Walks the frames of b[from..to]; returns an error text for a malformed packet, else null. */
export function readControl(b: Buffer, from: number, to: number, h: ControlHandler): string | null {
  let at = from;
  while (at < to) {
    if (at + 3 > to) return 'truncated frame header';
    const type = b[at]!, len = b.readUInt16BE(at + 1);
    const body = at + 3, end = body + len;
    if (end > to) return `frame ${type} longer than the packet`;
    switch (type) {
      case F_ACK:
        if (len % ACK_ENTRY) return 'bad ACK length';
        for (let p = body; p < end; p += ACK_ENTRY) {
          const e = scratchAck;
          e.link = b[p]!;
          e.highest = b.readUInt32BE(p + 1);
          e.maskHi = b.readUInt32BE(p + 5);
          e.maskLo = b.readUInt32BE(p + 9);
          e.delayUs = b.readUInt16BE(p + 13) * 10;
          e.queueUs = b.readUInt16BE(p + 15) * 10;
          h.ack(e);
        }
        break;
      case F_PING:
      case F_PONG:
        if (len !== 5) return 'bad PING/PONG length';
        (type === F_PING ? h.ping : h.pong).call(h, b[body]!, b.readUInt32BE(body + 1));
        break;
      case F_SKIP:
        if (len % 5) return 'bad SKIP length';
        for (let p = body; p < end; p += 5) h.skip(b[p]!, b.readUInt32BE(p + 1));
        break;
      case F_LINKS: {
        let links: unknown;
        try {
          links = JSON.parse(b.toString('utf8', body, end));
        } catch {
          return 'LINKS is not JSON';
        }
        if (!Array.isArray(links) || !links.every(isAnnouncement)) return 'LINKS has the wrong shape';
        h.links(links);
        break;
      }
      case F_CLOSE:
        h.close();
        break;
      case F_RATES:
        if (len % RATE_ENTRY) return 'bad RATES length';
        for (let p = body; p < end; p += RATE_ENTRY) h.rate(b[p]!, b.readUInt32BE(p + 1), b.readUInt16BE(p + 5) / 100);
        break;
      default: // a newer peer's frame: skip it
    }
    at = end;
  }
  return null;
}

function isAnnouncement(x: unknown): x is LinkAnnouncement {
  const l = x as LinkAnnouncement;
  return typeof l === 'object' && l !== null && Number.isInteger(l.id) && l.id >= 0 && l.id < 255 &&
    typeof l.name === 'string' && typeof l.role === 'string' && typeof l.enabled === 'boolean';
}
