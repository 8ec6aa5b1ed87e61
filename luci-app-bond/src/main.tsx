// Entry of the LuCI view (Network → Bonding). LuCI's loader evaluates the bundle and its
// footer calls create() with the loader's modules; create() returns the view class, which
// LuCI instantiates: load() → render() → its footer with Save & Apply, Save, Reset, wired
// to the handlers below (Save stages the changes in the session through uci.js, Save & Apply
// then applies them with LuCI's rollback protection).
import { render } from 'preact';
import { App, type StatusFeed, type Tab } from './app.js';
import { callInterfaces, callSetLink, callStatus, type NetifdInterface } from './api.js';
import { setLuci, type Luci, type UciSectionObject } from './luci.js';
import { SettingsStore } from './settings/store.js';
import { domId } from './settings/fields.js';
import { _ } from './i18n.js';
import css from './bonding.css';

const CONFIG = 'bonding';
const POLL_S = 1;

const clock = () => performance.now() / 1000;
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

function injectStyle(): void {
  if (document.getElementById('bond-style')) return;
  const style = document.createElement('style');
  style.id = 'bond-style';
  style.textContent = css;
  document.head.appendChild(style);
}

// Thrown by Save when the form has problems: the form shows them, LuCI must not apply.
class InvalidSettings extends Error {}

export function create(l: Luci) {
  setLuci(l);
  let store: SettingsStore;
  const listeners = new Set<(f: StatusFeed) => void>();
  const tabRef: { set?: (t: Tab) => void } = {};

  const poll = () =>
    callStatus().then(
      (status) => ({ status, error: null, at: clock() }),
      (e) => ({ status: null, error: message(e), at: clock() }),
    ).then((f: StatusFeed) => {
      for (const fn of listeners) fn(f);
    });

  const sections = (): UciSectionObject[] => l.uci.sections(CONFIG);

  async function save(): Promise<void> {
    const { errors, ops } = store.prepare();
    if (errors.length) {
      tabRef.set?.('settings');
      requestAnimationFrame(() => {
        const first = errors.find((p) => p.field)?.field;
        (document.getElementById(first ? domId(first) : 'bond-errors') ?? document.getElementById('bond-errors'))?.focus();
      });
      throw new InvalidSettings(_('The settings have problems: nothing was saved.'));
    }
    const added = new Map<string, string>();
    for (const op of ops) {
      if (op.op === 'add') added.set(op.key, l.uci.add(CONFIG, op.type, op.name));
      else if (op.op === 'remove') l.uci.remove(CONFIG, op.sid);
      else l.uci.set(CONFIG, typeof op.sid === 'string' ? op.sid : added.get(op.sid.key)!, op.option, op.value);
    }
    await l.uci.save();
    store.reset(sections());
  }

  return l.view.extend({
    load() {
      return Promise.all([
        callStatus().then(
          (status) => ({ status, error: null, at: clock() }),
          (e: unknown) => ({ status: null, error: message(e), at: clock() }),
        ),
        l.uci.load(CONFIG).catch(() => []),
        callInterfaces(),
      ]);
    },

    render([first, , interfaces]: [StatusFeed, unknown, NetifdInterface[]]) {
      injectStyle();
      store = new SettingsStore(sections());
      // LuCI says whether this user may write (the ACL's write part); older LuCI does not know
      const readonly = typeof l.L.hasViewPermission === 'function' && l.L.hasViewPermission() === false;
      const root = document.createElement('div');
      root.className = 'bond-app';
      const heading = document.createElement('h2');
      heading.textContent = _('Bonding');
      const intro = document.createElement('div');
      intro.className = 'cbi-map-descr';
      intro.textContent = _('Joins the internet links of this router into one faster and more reliable connection through a bonding server.');
      const mount = document.createElement('div');
      root.append(heading, intro, mount);
      render(
        <App
          store={store}
          interfaces={interfaces}
          readonly={readonly}
          first={first}
          subscribe={(fn) => (listeners.add(fn), () => listeners.delete(fn))}
          onToggleLink={(name, enabled) => callSetLink(name, enabled).then(poll, (e) => l.ui.addNotification(null, l.E('p', {}, message(e)), 'danger'))}
          tabRef={tabRef}
        />,
        mount,
      );
      l.poll.add(poll, POLL_S);
      return root;
    },

    handleSave() {
      return save();
    },

    // mode is the footer's choice: '0' Save & Apply (with rollback), '1' Apply unchecked;
    // LuCI before the combo button passes none and means the checked apply
    handleSaveApply(_ev: Event, mode?: string) {
      return save().then(() => l.ui.changes.apply(mode !== '1'));
    },

    handleReset() {
      l.uci.unload(CONFIG);
      return l.uci.load(CONFIG).then(() => store.reset(sections()));
    },
  });
}
