// Round-trip time of one link: smoothed RTT and variation (RFC 6298), the minimum over a
// window (the propagation delay, with no queue), and the latest sample.
import { WindowedFilter } from './minmax.js';

const MIN_WINDOW_MS = 10_000;

export class RttEstimator {
  srtt = 0;
  rttvar = 0;
  private readonly minFilter = WindowedFilter.min(MIN_WINDOW_MS);

  get hasSample(): boolean {
    return !this.minFilter.isEmpty;
  }

  /** Propagation RTT: the smallest sample of the last 10 s. */
  get min(): number {
    return this.minFilter.value;
  }

  update(sample: number, now: number): void {
    if (!(sample >= 0)) return;
    this.minFilter.update(sample, now);
    if (this.srtt === 0) {
      this.srtt = sample;
      this.rttvar = sample / 2;
    } else {
      this.rttvar += 0.25 * (Math.abs(this.srtt - sample) - this.rttvar);
      this.srtt += 0.125 * (sample - this.srtt);
    }
  }

  /** Retransmission timeout: how long silence on a busy link may last before it counts as lost. */
  rto(floorMs: number): number {
    return Math.max(floorMs, this.srtt + 4 * this.rttvar);
  }

  reset(): void {
    this.srtt = this.rttvar = 0;
    this.minFilter.clear();
  }
}
