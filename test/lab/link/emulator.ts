// The lab's link emulator: a process inside the `wan` namespace that carries every emulated
// direction of every WAN link. The kernel routes a link's packets into one TUN device per
// direction (see topology.ts); here each packet goes through its direction's Shaper and is
// written back into the same TUN when due, from where the kernel forwards it on.
//   TUN read → copy into the direction's ring → Shaper (loss, queue, rate, delay) → TUN write
// Controlled over the IPC channel of its parent: configure, set, down/up, stats.
import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { PacketBatch } from '../../../src/native/batch.js';
import { TunDevice } from '../../../src/tun/device.js';
import { Shaper, parseTrace, type ShaperSettings } from './shaper.js';

export interface DirectionConfig {
  corruptPct?: number;
  tun: string; // TUN device name in the wan namespace
  rateMbps: number;
  traceFile?: string;
  delayMs: number;
  lossPct: number;
  queueBytes: number;
  seed: number;
}

export type EmulatorRequest =
  | { cmd: 'configure'; directions: DirectionConfig[] }
  | { cmd: 'set'; tun: string; settings: Partial<Omit<ShaperSettings, 'trace'>> & { corruptPct?: number } }
  | { cmd: 'down' | 'up'; tuns: string[] }
  | { cmd: 'stats' };

const SLOT = 1600; // an MTU-sized packet; the lab's WAN MTU is 1500
const RING = 8192;

class Direction {
  readonly tun: TunDevice;
  /** Percent of UDP packets with one payload byte flipped (checksum cleared): forgeries. */
  corruptPct = 0;
  corrupted = 0;
  readonly shaper: Shaper<number>;
  readonly ring = Buffer.allocUnsafeSlow(RING * SLOT);
  readonly ringLen = new Int32Array(RING);
  private ringHead = 0; // next slot to fill
  private ringUsed = 0;
  private readonly due: number[] = [];
  private readonly offsets = new Int32Array(RING);
  private readonly lengths = new Int32Array(RING);

  constructor(cfg: DirectionConfig, private readonly batch: PacketBatch) {
    const trace = cfg.traceFile ? parseTrace(readFileSync(cfg.traceFile, 'utf8')) : undefined;
    this.shaper = new Shaper<number>(
      { rateMbps: cfg.rateMbps, trace, delayMs: cfg.delayMs, lossPct: cfg.lossPct, queueBytes: cfg.queueBytes },
      cfg.seed,
      performance.now(),
    );
    this.tun = new TunDevice(cfg.tun);
    this.tun.onReadable(() => this.onReadable());
  }

  private onReadable(): void {
    const n = this.tun.read(this.batch);
    const now = performance.now();
    for (let i = 0; i < n; i++) {
      const len = this.batch.lengths[i]!;
      if (this.ringUsed === RING) {
        this.shaper.stats.packets++;
        this.shaper.stats.dropQueue++;
        continue;
      }
      const slot = this.ringHead;
      if (!this.shaper.enqueue(slot, len, now)) continue;
      this.batch.slab.copy(this.ring, slot * SLOT, this.batch.start(i), this.batch.start(i) + len);
      if (this.corruptPct > 0 && Math.random() * 100 < this.corruptPct) this.corrupt(slot * SLOT, len);
      this.ringLen[slot] = len;
      this.ringHead = (slot + 1) % RING;
      this.ringUsed++;
    }
    deliver();
  }

  private corrupt(at: number, len: number): void {
    const b = this.ring;
    if (b[at]! >> 4 !== 4 || b[at + 9] !== 17) return;
    const udp = at + (b[at]! & 15) * 4;
    if (udp + 9 > at + len) return;
    b[udp + 8 + Math.floor(Math.random() * (at + len - udp - 8))]! ^= 1 << Math.floor(Math.random() * 8);
    b.writeUInt16BE(0, udp + 6); // IPv4 allows "no checksum"
    this.corrupted++;
  }

  /** Writes what is due; returns when the next packet will be. */
  deliver(now: number): number {
    this.due.length = 0;
    this.shaper.due(now, this.due);
    const n = this.due.length;
    for (let i = 0; i < n; i++) {
      const slot = this.due[i]!;
      this.offsets[i] = slot * SLOT;
      this.lengths[i] = this.ringLen[slot]!;
    }
    if (n > 0) {
      this.tun.write(this.ring, this.offsets, this.lengths, n); // a refused packet is a lost packet
      // a duplicated packet appears twice in a row in `due` but holds one ring slot
      let slots = 0;
      for (let i = 0; i < n; i++) if (i === 0 || this.due[i] !== this.due[i - 1]) slots++;
      this.ringUsed -= slots;
    }
    return this.shaper.nextDue();
  }

  setDown(down: boolean): void {
    this.shaper.setDown(down);
    if (down) this.ringUsed = 0; // the shaper dropped everything it held
  }
}

const directions = new Map<string, Direction>();
let timer: NodeJS.Timeout | undefined;
let timerAt = Infinity;

// Node timers tick in whole milliseconds and fire up to a tick late; releasing packets up to
// a tick early makes delays come out as configured on average instead of ~0.5 ms long.
const EARLY_MS = 0.75;

function deliver(): void {
  const now = performance.now();
  let next = Infinity;
  for (const d of directions.values()) next = Math.min(next, d.deliver(now + EARLY_MS));
  if (next === Infinity) return;
  if (timer && timerAt <= next) return;
  if (timer) clearTimeout(timer);
  timerAt = next;
  timer = setTimeout(() => {
    timer = undefined;
    timerAt = Infinity;
    deliver();
  }, Math.max(0, Math.round(next - EARLY_MS - performance.now())));
}

function handle(req: EmulatorRequest): unknown {
  switch (req.cmd) {
    case 'configure': {
      const batch = new PacketBatch(64, SLOT, 0);
      for (const cfg of req.directions) {
        const d = new Direction(cfg, batch);
        d.corruptPct = cfg.corruptPct ?? 0;
        directions.set(cfg.tun, d);
      }
      return { ok: true };
    }
    case 'set': {
      const d = directions.get(req.tun);
      if (!d) throw new Error(`no direction ${req.tun}`);
      const { corruptPct, ...shaping } = req.settings;
      Object.assign(d.shaper.settings, shaping);
      if (corruptPct !== undefined) d.corruptPct = corruptPct;
      return { ok: true };
    }
    case 'down':
    case 'up':
      for (const tun of req.tuns) {
        const d = directions.get(tun);
        if (!d) throw new Error(`no direction ${tun}`);
        d.setDown(req.cmd === 'down');
      }
      return { ok: true };
    case 'stats':
      return Object.fromEntries([...directions].map(([k, d]) => [k, { ...d.shaper.stats, corrupted: d.corrupted }]));
  }
}

process.on('message', (msg: { id: number; req: EmulatorRequest }) => {
  try {
    process.send!({ id: msg.id, ok: true, result: handle(msg.req) });
  } catch (err) {
    process.send!({ id: msg.id, ok: false, error: String((err as Error).message ?? err) });
  }
});
process.on('disconnect', () => process.exit(0));
process.send!({ ready: true });
