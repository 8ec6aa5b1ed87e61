// rpcd's `uci` object for the stand-in, on real files in a config directory, written with
// the project's UCI code (src/uci). Like rpcd, changes are staged per session (get shows the
// session its own changes), `commit` writes a package, and `apply` commits everything the
// session staged; with rollback it keeps the old files and restores them unless `confirm`
// comes within the timeout.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  addSection,
  deleteOption,
  deleteSection,
  findSection,
  parseUci,
  setOption,
  writeUciFile,
  type UciPackage,
  type UciSection,
} from '../../src/uci/index.js';
import { UbusError, UbusStatus } from '../../src/ubus/status.js';

type Change = [op: string, ...args: string[]];

interface Staged {
  pkg: UciPackage;
  changes: Change[];
}

export class UciRpc {
  private readonly staged = new Map<string, Map<string, Staged>>(); // session → config → staged
  private pending: { backups: Map<string, string | null>; timer: ReturnType<typeof setTimeout> } | undefined;

  constructor(
    readonly dir: string,
    private readonly onApplied: (configs: string[]) => void = () => {},
  ) {}

  private file(config: string): string {
    if (!/^[A-Za-z0-9_-]+$/.test(config)) throw new UbusError(UbusStatus.INVALID_ARGUMENT, `invalid config name '${config}'`);
    return join(this.dir, config);
  }

  private committed(config: string): UciPackage {
    const f = this.file(config);
    if (!existsSync(f)) throw new UbusError(UbusStatus.NOT_FOUND, `no config '${config}'`);
    return parseUci(readFileSync(f), { name: config, file: f });
  }

  /** The package as this session sees it: committed plus its own staged changes. */
  view(session: string, config: string): UciPackage {
    return this.staged.get(session)?.get(config)?.pkg ?? this.committed(config);
  }

  private stage(session: string, config: string): Staged {
    let s = this.staged.get(session);
    if (!s) this.staged.set(session, (s = new Map()));
    let st = s.get(config);
    if (!st) s.set(config, (st = { pkg: structuredClone(this.committed(config)), changes: [] }));
    return st;
  }

  private section(pkg: UciPackage, name: string): UciSection {
    const s = findSection(pkg, name);
    if (!s) throw new UbusError(UbusStatus.NOT_FOUND, `no section '${name}'`);
    return s;
  }

  static values(pkg: UciPackage, only?: UciSection): Record<string, Record<string, unknown>> {
    const out: Record<string, Record<string, unknown>> = {};
    pkg.sections.forEach((s, index) => {
      if (only && s !== only) return;
      const v: Record<string, unknown> = { '.anonymous': s.anonymous, '.type': s.type, '.name': s.name, '.index': index };
      for (const o of s.options) v[o.name] = o.kind === 'string' ? o.value : o.items.map((i) => i.value);
      out[s.name] = v;
    });
    return out;
  }

  /** Which configs a call touches and whether it writes, for the ACL check before it runs. */
  static access(method: string, args: Record<string, unknown>): { config?: string; write: boolean } {
    const write = !['get', 'state', 'changes', 'configs'].includes(method);
    return { config: typeof args.config === 'string' ? args.config : undefined, write };
  }

  call(session: string, method: string, a: Record<string, unknown>): unknown {
    const config = typeof a.config === 'string' ? a.config : '';
    switch (method) {
      case 'get': {
        const pkg = this.view(session, config);
        if (typeof a.section !== 'string') return { values: UciRpc.values(pkg) };
        const s = this.section(pkg, a.section);
        if (typeof a.option === 'string') {
          const o = s.options.find((x) => x.name === a.option);
          if (!o) throw new UbusError(UbusStatus.NOT_FOUND);
          return { value: o.kind === 'string' ? o.value : o.items.map((i) => i.value) };
        }
        return { values: UciRpc.values(pkg, s)[s.name] };
      }
      case 'add': {
        const st = this.stage(session, config);
        if (typeof a.type !== 'string') throw new UbusError(UbusStatus.INVALID_ARGUMENT);
        const s = addSection(st.pkg, a.type, typeof a.name === 'string' && a.name ? a.name : undefined);
        st.changes.push(['add', s.name, a.type]);
        this.setValues(st, s, a.values);
        return { section: s.name };
      }
      case 'set': {
        const st = this.stage(session, config);
        const s = this.section(st.pkg, String(a.section));
        this.setValues(st, s, a.values);
        return undefined;
      }
      case 'delete': {
        const st = this.stage(session, config);
        const s = this.section(st.pkg, String(a.section));
        const options = typeof a.option === 'string' ? [a.option] : Array.isArray(a.options) ? (a.options as string[]) : null;
        if (options === null) {
          deleteSection(st.pkg, s);
          st.changes.push(['remove', s.name]);
        } else {
          for (const o of options) if (deleteOption(s, o)) st.changes.push(['remove', s.name, o]);
        }
        return undefined;
      }
      case 'changes': {
        const mine = this.staged.get(session) ?? new Map<string, Staged>();
        const list = [...mine].filter(([c, st]) => st.changes.length && (!config || c === config));
        return { changes: Object.fromEntries(list.map(([c, st]) => [c, st.changes])) };
      }
      case 'revert':
        this.staged.get(session)?.delete(config);
        return undefined;
      case 'commit': {
        const st = this.staged.get(session)?.get(config);
        if (st) writeUciFile(this.file(config), st.pkg);
        this.staged.get(session)?.delete(config);
        if (st) this.onApplied([config]);
        return undefined;
      }
      case 'apply':
        return this.apply(session, a.rollback === true || a.rollback === 1, typeof a.timeout === 'number' ? a.timeout : 30);
      case 'confirm': {
        if (!this.pending) throw new UbusError(UbusStatus.NO_DATA);
        clearTimeout(this.pending.timer);
        this.pending = undefined;
        return undefined;
      }
      case 'rollback':
        if (!this.pending) throw new UbusError(UbusStatus.NO_DATA);
        this.rollback();
        return undefined;
      default:
        throw new UbusError(UbusStatus.METHOD_NOT_FOUND);
    }
  }

  private setValues(st: Staged, s: UciSection, values: unknown): void {
    if (!values || typeof values !== 'object') return;
    for (const [k, v] of Object.entries(values as Record<string, unknown>)) {
      const value = Array.isArray(v) ? v.map(String) : String(v);
      setOption(s, k, value);
      st.changes.push(Array.isArray(value) ? ['list-add', s.name, k, ...value] : ['set', s.name, k, value]);
    }
  }

  private apply(session: string, rollback: boolean, timeout: number): unknown {
    if (this.pending) throw new UbusError(UbusStatus.PERMISSION_DENIED, 'an apply is waiting for confirmation');
    const mine = [...(this.staged.get(session) ?? new Map<string, Staged>())].filter(([, st]) => st.changes.length);
    if (!mine.length) throw new UbusError(UbusStatus.NO_DATA);
    const backups = new Map<string, string | null>();
    for (const [config, st] of mine) {
      const f = this.file(config);
      backups.set(config, existsSync(f) ? readFileSync(f, 'utf8') : null);
      writeUciFile(f, st.pkg);
    }
    this.staged.delete(session);
    if (rollback) this.pending = { backups, timer: setTimeout(() => this.rollback(), timeout * 1000) };
    this.onApplied(mine.map(([c]) => c));
    return undefined;
  }

  private rollback(): void {
    const p = this.pending;
    if (!p) return;
    clearTimeout(p.timer);
    this.pending = undefined;
    for (const [config, text] of p.backups) if (text !== null) writeFileSync(this.file(config), text);
    this.onApplied([...p.backups.keys()]);
  }

  close(): void {
    if (this.pending) clearTimeout(this.pending.timer);
  }
}
