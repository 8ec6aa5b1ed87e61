// One-shot timers by name on Node's millisecond timers: arming a timer that is already due
// earlier keeps the earlier one, so hot paths can ask for "at the latest then" cheaply.

export class Timers {
  private readonly handles = new Map<string, { at: number; t: NodeJS.Timeout }>();
  private stopped = false;

  constructor(private readonly now: () => number) {}

  arm(name: string, at: number, run: () => void): void {
    if (this.stopped || at === Infinity) return;
    const cur = this.handles.get(name);
    if (cur && cur.at <= at) return;
    if (cur) clearTimeout(cur.t);
    const t = setTimeout(() => {
      this.handles.delete(name);
      run();
    }, Math.max(0, Math.ceil(at - this.now())));
    this.handles.set(name, { at, t });
  }

  cancel(name: string): void {
    const cur = this.handles.get(name);
    if (cur) clearTimeout(cur.t);
    this.handles.delete(name);
  }

  stop(): void {
    this.stopped = true;
    for (const { t } of this.handles.values()) clearTimeout(t);
    this.handles.clear();
  }
}
