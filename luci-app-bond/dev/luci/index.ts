// A stand-in for LuCI's luci.js, enough to run a view as LuCI runs it: L.require() fetches a
// module, reads its leading 'require …' strings, loads those first and evaluates the source
// as the body of function(window, document, L, <modules…>), whose return value must be a
// class (luci.js: compileClass). A view's class is instantiated by ui.instantiateView(),
// which loads data (load), renders (render) and adds the footer with Save & Apply, Save
// and Reset bound to the view's handlers (luci.js: View).
// rpc, uci and ui are built in here instead of fetched; everything reaches the router
// stand-in (the dev server) through /ubus like the real modules.
import { Class, type ClassCtor } from './class.js';
import { append, content, create } from './dom.js';
import { createRpc } from './rpc.js';
import { createUci } from './uci.js';
import { createUi } from './ui.js';
import { scanRequires } from './scan.js';

interface Env {
  sessionid: string;
  base_url: string; // the resources URL, e.g. /luci-static/resources
  ubuspath: string;
  pollinterval: number;
  apply_rollback: number;
  apply_display: number;
  nodespec?: { readonly?: boolean; satisfied?: boolean };
  lang?: string;
}

// The poll loop of luci.js: one tick a second, each function when its interval divides the
// tick and its previous run has finished.
function createPoll(env: Env) {
  const queue: { fn: () => Promise<unknown>; i: number; ready: boolean }[] = [];
  let tick = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  const step = () => {
    for (const e of queue) {
      if (tick % e.i !== 0 || !e.ready) continue;
      e.ready = false;
      Promise.resolve(e.fn()).finally(() => (e.ready = true));
    }
    tick = (tick + 1) % 2 ** 32;
  };
  return {
    add(fn: () => Promise<unknown>, interval?: number) {
      if (queue.some((e) => e.fn === fn)) return false;
      queue.push({ fn, i: Math.max(1, (interval ?? env.pollinterval) >>> 0), ready: true });
      if (!timer) {
        timer = setInterval(step, 1000);
        step();
      }
      return true;
    },
    remove(fn: () => Promise<unknown>) {
      const i = queue.findIndex((e) => e.fn === fn);
      if (i >= 0) queue.splice(i, 1);
      return i >= 0;
    },
    active: () => timer !== undefined,
  };
}

class LuCI {
  readonly env: Env;
  readonly dom = { create, content, append };
  private readonly classes = new Map<string, unknown>();

  constructor(env: Env) {
    this.env = env;
    const rpc = createRpc(env);
    const uci = createUci(rpc);
    const ui = createUi(uci, env);
    const poll = createPoll(env);
    const self = this;
    const View = Class.extend({
      __init__(this: any) {
        const vp = document.getElementById('view')!;
        content(vp, create('div', { class: 'spinning' }, 'Loading view…'));
        this.ready = Promise.resolve(this.load())
          .then((data: unknown) => this.render(data))
          .then((nodes: Node) => {
            content(vp, nodes);
            append(vp, this.addFooter());
          })
          .catch((e: Error) => self.error(e));
      },
      load() {},
      render() {},
      handleSave: null,
      handleSaveApply: null,
      handleReset: null,
      addFooter(this: any) {
        if (!this.handleSaveApply && !this.handleSave && !this.handleReset) return create([]);
        const readonly = self.hasViewPermission() === false;
        const button = (cls: string, label: string, fn: ((ev: Event, mode?: string) => unknown) | null, mode?: string) =>
          fn
            ? create('button', {
                class: `cbi-button ${cls}`,
                type: 'button',
                disabled: readonly ? '' : null,
                click: (ev: Event) => {
                  const b = ev.currentTarget as HTMLElement;
                  b.classList.add('spinning');
                  Promise.resolve(fn.call(this, ev, mode))
                    .catch((e: unknown) => console.warn('footer action', e))
                    .finally(() => b.classList.remove('spinning'));
                },
              }, label)
            : '';
        return create('div', { class: 'cbi-page-actions' }, [
          button('cbi-button-apply', 'Save & Apply', this.handleSaveApply, '0'),
          ' ',
          button('cbi-button-save', 'Save', this.handleSave),
          ' ',
          button('cbi-button-reset', 'Reset', this.handleReset),
        ]);
      },
    });
    this.classes.set('baseclass', Class);
    this.classes.set('view', View);
    this.classes.set('poll', poll);
    this.classes.set('rpc', rpc);
    this.classes.set('uci', uci);
    this.classes.set('ui', {
      ...ui,
      instantiateView: (path: string) =>
        this.require(`view.${path.replace(/\.js$/, '').replace(/[/\\]+/g, '.')}`).then((v) => {
          if (!(v instanceof View)) throw new TypeError(`Loaded class ${path} is not a descendant of View`);
          return v;
        }),
    });
  }

  resource(...parts: string[]): string {
    return [this.env.base_url, ...parts].join('/');
  }

  hasViewPermission(): boolean | null {
    const n = this.env.nodespec;
    return n && n.satisfied !== false ? !n.readonly : null;
  }

  bind(fn: (...a: unknown[]) => unknown, self: unknown, ...args: unknown[]) {
    return fn.bind(self, ...args);
  }

  isObject(v: unknown): boolean {
    return v !== null && typeof v === 'object';
  }

  error(e: unknown): void {
    const msg = e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e);
    const main = document.getElementById('maincontent');
    if (main) content(main, create('pre', { class: 'alert-message error', id: 'luci-error' }, msg));
    console.error(e);
  }

  async require(name: string): Promise<unknown> {
    if (this.classes.has(name)) return this.classes.get(name);
    const url = `${this.env.base_url}/${name.replace(/\./g, '/')}.js`;
    const p = (async () => {
      const res = await fetch(url, { cache: 'no-store' });
      if (!res.ok) throw new Error(`HTTP error ${res.status} while loading class file "${url}"`);
      const source = await res.text();
      const deps = scanRequires(source);
      const instances = await Promise.all(deps.map((d) => this.require(d.name)));
      // eval as luci.js does, with a sourceURL so that stack traces name the file
      const factory = (0, eval)(`(function(window, document, L${deps.map((d) => `, ${d.as}`).join('')}) { ${source} })\n//# sourceURL=${url}\n`) as (...a: unknown[]) => unknown;
      const cls = factory.apply(factory, [window, document, this, ...instances]);
      if (!Class.isSubclass(cls)) throw new TypeError(`"${name}" factory yields invalid constructor`);
      return new (cls as ClassCtor)();
    })();
    this.classes.set(name, p);
    const instance = await p;
    this.classes.set(name, instance);
    return instance;
  }
}

declare global {
  interface Window {
    LuCI: typeof LuCI;
    L: LuCI;
    E: typeof create;
    _: (s: string, c?: string) => string;
  }
}

// A pseudo-language (?lang=xx) marks every translated string, so that untranslated ones stand
// out (the browser tests look for them).
window._ = (s: string) => (window.L?.env.lang === 'xx' ? `⟦${s}⟧` : s);
window.E = create;
window.LuCI = LuCI;
