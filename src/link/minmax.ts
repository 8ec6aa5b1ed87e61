// Windowed maximum (or minimum) of a signal over time: the best value seen in the last `window`
// ms, kept with three samples (Nichols' algorithm, as Linux's lib/win_minmax.c does), so the
// estimate follows a falling (rising) signal once the better samples age out.

export class WindowedFilter {
  private readonly t = [0, 0, 0];
  private readonly v = [0, 0, 0];
  private empty = true;

  constructor(private readonly better: (a: number, b: number) => boolean, public window: number) {}

  static max(window: number): WindowedFilter {
    return new WindowedFilter((a, b) => a >= b, window);
  }

  static min(window: number): WindowedFilter {
    return new WindowedFilter((a, b) => a <= b, window);
  }

  get value(): number {
    return this.v[0]!;
  }

  get isEmpty(): boolean {
    return this.empty;
  }

  clear(): void {
    this.empty = true;
    this.v.fill(0);
  }

  reset(value: number, now: number): void {
    this.t.fill(now);
    this.v.fill(value);
    this.empty = false;
  }

  update(value: number, now: number): number {
    const { t, v, window } = this;
    if (this.empty || this.better(value, v[0]!) || now - t[2]! > window) {
      this.reset(value, now);
      return value;
    }
    if (this.better(value, v[1]!)) {
      t[2] = t[1] = now;
      v[2] = v[1] = value;
    } else if (this.better(value, v[2]!)) {
      t[2] = now;
      v[2] = value;
    }
    // expire the best when it is older than the window; promote the others
    const dt = now - t[0]!;
    if (dt > window) {
      t[0] = t[1]!; v[0] = v[1]!;
      t[1] = t[2]!; v[1] = v[2]!;
      t[2] = now; v[2] = value;
      if (now - t[0]! > window) {
        t[0] = t[1]!; v[0] = v[1]!;
        t[1] = t[2]!; v[1] = v[2]!;
      }
    } else if (t[1] === t[0] && dt > window / 4) {
      t[2] = t[1] = now;
      v[2] = v[1] = value;
    } else if (t[2] === t[1] && dt > window / 2) {
      t[2] = now;
      v[2] = value;
    }
    return v[0]!;
  }
}
