// LuCI's uci module (uci.js): a local cache of UCI packages with staged creates, changes and
// deletes, written to the session by save() (uci add/set/delete over rpc), then reloaded.
// Same semantics as uci.js for what the view uses; reordering is not supported.
import type { UciSectionObject } from '../../src/luci.js';

type Rpc = ReturnType<typeof import('./rpc.js').createRpc>;
type Values = Record<string, UciSectionObject>;

export function createUci(rpc: Rpc) {
  const callLoad = rpc.declare({ object: 'uci', method: 'get', params: ['config'], expect: { values: {} } });
  const callAdd = rpc.declare({ object: 'uci', method: 'add', params: ['config', 'type', 'name', 'values'], expect: { section: '' } });
  const callSet = rpc.declare({ object: 'uci', method: 'set', params: ['config', 'section', 'values'] });
  const callDelete = rpc.declare({ object: 'uci', method: 'delete', params: ['config', 'section', 'options'] });
  const callApply = rpc.declare({ object: 'uci', method: 'apply', params: ['timeout', 'rollback'] });
  const callConfirm = rpc.declare({ object: 'uci', method: 'confirm' });

  const state = {
    newidx: 0,
    values: {} as Record<string, Values>,
    creates: {} as Record<string, Record<string, UciSectionObject & { '.create'?: string }>>,
    changes: {} as Record<string, Record<string, Record<string, unknown>>>,
    deletes: {} as Record<string, Record<string, true | string[]>>,
  };

  const uci = {
    async load(packages: string | string[]): Promise<string[]> {
      const list = (Array.isArray(packages) ? packages : [packages]).filter((p) => !state.values[p]);
      const replies = await Promise.all(list.map((p) => callLoad(p)));
      list.forEach((p, i) => (state.values[p] = replies[i] as Values));
      return list;
    },

    unload(packages: string | string[]): void {
      for (const p of Array.isArray(packages) ? packages : [packages]) {
        delete state.values[p];
        delete state.creates[p];
        delete state.changes[p];
        delete state.deletes[p];
      }
    },

    add(conf: string, type: string, name?: string): string {
      const sid = name || `new${Math.floor(Math.random() * 0xffffff).toString(16).padStart(6, '0')}`;
      (state.creates[conf] ??= {})[sid] = { '.type': type, '.name': sid, '.create': name, '.anonymous': !name, '.index': 1000 + state.newidx++ } as UciSectionObject;
      return sid;
    },

    remove(conf: string, sid: string): void {
      if (state.creates[conf]?.[sid]) delete state.creates[conf]![sid];
      else {
        delete state.changes[conf]?.[sid];
        (state.deletes[conf] ??= {})[sid] = true;
      }
    },

    sections(conf: string, type?: string): UciSectionObject[] {
      const v = state.values[conf];
      if (!v) return [];
      const d = state.deletes[conf];
      const c = state.changes[conf];
      const out: UciSectionObject[] = [];
      for (const [sid, s] of Object.entries(v)) {
        if (d?.[sid] === true || (type && s['.type'] !== type)) continue;
        const merged = { ...s, ...(c?.[sid] ?? {}) } as UciSectionObject;
        const removed = d?.[sid];
        if (Array.isArray(removed)) for (const o of removed) delete merged[o];
        out.push(merged);
      }
      for (const s of Object.values(state.creates[conf] ?? {})) if (!type || s['.type'] === type) out.push({ ...s });
      out.sort((a, b) => a['.index'] - b['.index']);
      out.forEach((s, i) => (s['.index'] = i));
      return out;
    },

    get(conf: string, sid: string, opt?: string): unknown {
      const created = state.creates[conf]?.[sid];
      if (created) return opt === undefined ? created : created[opt];
      if (opt === undefined) return state.values[conf]?.[sid];
      const d = state.deletes[conf]?.[sid];
      if (d === true || (Array.isArray(d) && d.includes(opt))) return undefined;
      const changed = state.changes[conf]?.[sid]?.[opt];
      if (changed !== undefined && changed !== null) return changed;
      return state.values[conf]?.[sid]?.[opt];
    },

    set(conf: string, sid: string, opt: string, val: string | string[] | null): void {
      if (opt.startsWith('.')) return;
      const created = state.creates[conf]?.[sid];
      if (created) {
        if (val !== null && val !== undefined) created[opt] = val;
        else delete created[opt];
        return;
      }
      const v = state.values[conf]?.[sid];
      const d = (state.deletes[conf] ??= {});
      if (val !== null && val !== undefined && val !== '') {
        if (d[sid] === true || !v) return;
        const ch = ((state.changes[conf] ??= {})[sid] ??= {});
        const del = d[sid];
        if (Array.isArray(del)) {
          d[sid] = del.filter((o) => o !== opt);
          if ((d[sid] as string[]).length === 0) delete d[sid];
        }
        ch[opt] = val;
      } else {
        const inChanges = state.changes[conf]?.[sid] && opt in state.changes[conf]![sid]!;
        if (!(v && opt in v) && !inChanges) return;
        if (inChanges) delete state.changes[conf]![sid]![opt];
        if (!(v && opt in v)) return;
        const del = (d[sid] ??= []);
        if (del !== true && !del.includes(opt)) del.push(opt);
      }
    },

    unset(conf: string, sid: string, opt: string): void {
      uci.set(conf, sid, opt, null);
    },

    async save(): Promise<string[]> {
      const tasks: Promise<unknown>[] = [];
      const pkgs = new Set<string>();
      for (const [conf, secs] of Object.entries(state.creates)) {
        for (const s of Object.values(secs)) {
          const values = Object.fromEntries(Object.entries(s).filter(([k]) => !k.startsWith('.')));
          tasks.push(callAdd(conf, s['.type'], s['.create'], values));
        }
        pkgs.add(conf);
      }
      for (const [conf, secs] of Object.entries(state.changes)) {
        for (const [sid, values] of Object.entries(secs)) if (Object.keys(values).length) tasks.push(callSet(conf, sid, values));
        pkgs.add(conf);
      }
      for (const [conf, secs] of Object.entries(state.deletes)) {
        for (const [sid, o] of Object.entries(secs)) tasks.push(callDelete(conf, sid, o === true ? null : o));
        pkgs.add(conf);
      }
      await Promise.all(tasks);
      const list = [...pkgs];
      uci.unload(list);
      return uci.load(list);
    },

    // uci.apply(timeout): apply with rollback, then confirm (as uci.js does)
    async apply(timeout = 10): Promise<number> {
      const rv = await callApply(timeout, true);
      if (rv !== 0) throw rv;
      const deadline = Date.now() + timeout * 1000;
      await new Promise((r) => setTimeout(r, 1000));
      for (;;) {
        const c = await callConfirm();
        if (c === 0) return 0;
        if (Date.now() > deadline) throw c;
        await new Promise((r) => setTimeout(r, 250));
      }
    },

    callApply,
    callConfirm,
  };
  return uci;
}
