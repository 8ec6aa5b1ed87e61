// One-shot timers by name: arming a timer that is already due earlier keeps the earlier one,
// so hot paths can ask for "at the latest then" cheaply.
import type { Clock } from './clock.js';

export class Timers {
  private readonly handles = new Map<string, { at: number; t: unknown }>();
  private stopped = false;

  constructor(private readonly clock: Clock) {}

  arm(name: string, at: number, run: () => void): void {
    if (this.stopped || at === Infinity) return;
    const cur = this.handles.get(name);
    if (cur && cur.at <= at) return;
    if (cur) this.clock.cancel(cur.t);
    const t = this.clock.after(Math.max(0, Math.ceil(at - this.clock.now())), () => {
      this.handles.delete(name);
      run();
    });
    this.handles.set(name, { at, t });
  }

  cancel(name: string): void {
    const cur = this.handles.get(name);
    if (cur) this.clock.cancel(cur.t);
    this.handles.delete(name);
  }

  stop(): void {
    this.stopped = true;
    for (const { t } of this.handles.values()) this.clock.cancel(t);
    this.handles.clear();
  }
}
