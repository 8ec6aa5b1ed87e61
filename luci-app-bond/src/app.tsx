// The page: two tabs, Status (polled every second) and Settings. The view (view.ts) owns the
// LuCI side; this owns what is on screen.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { NetifdInterface } from './api.js';
import { History } from './status/history.js';
import { StatusPanel } from './status/status-panel.js';
import type { Status } from './status/types.js';
import { stateLabel } from './status/labels.js';
import { SettingsForm } from './settings/settings-form.js';
import type { SettingsStore } from './settings/store.js';
import { _, format } from './i18n.js';

export type Tab = 'status' | 'settings';

// What the view feeds the page after each poll.
export interface StatusFeed {
  status: Status | null;
  error: string | null;
  at: number; // seconds, page clock
}

export interface AppProps {
  store: SettingsStore;
  interfaces: NetifdInterface[];
  readonly: boolean;
  first: StatusFeed;
  subscribe: (fn: (f: StatusFeed) => void) => () => void;
  onToggleLink: (name: string, enabled: boolean) => Promise<unknown>;
  tabRef: { set?: (t: Tab) => void };
}

function initialTab(): Tab {
  return location.hash === '#settings' ? 'settings' : 'status';
}

// Colours follow the order links were first seen, so a link keeps its colour when another
// disappears.
function useColours(): (name: string) => number {
  const seen = useRef(new Map<string, number>());
  return (name: string) => {
    const m = seen.current;
    if (!m.has(name)) m.set(name, m.size);
    return m.get(name)!;
  };
}

function Tabs({ tab, setTab }: { tab: Tab; setTab: (t: Tab) => void }) {
  const tabs: [Tab, string][] = [
    ['status', _('Status')],
    ['settings', _('Settings')],
  ];
  const onKey = (e: KeyboardEvent) => {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight' && e.key !== 'Home' && e.key !== 'End') return;
    e.preventDefault();
    const i = tabs.findIndex(([t]) => t === tab);
    const next = e.key === 'Home' ? 0 : e.key === 'End' ? tabs.length - 1 : (i + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length;
    setTab(tabs[next]![0]);
    requestAnimationFrame(() => document.getElementById(`bond-tab-${tabs[next]![0]}`)?.focus());
  };
  return (
    <ul class="cbi-tabmenu bond-tabs" role="tablist" aria-label={_('Bonding')}>
      {tabs.map(([t, label]) => (
        <li key={t} class={t === tab ? 'cbi-tab' : 'cbi-tab-disabled'} role="presentation">
          <a
            href={`#${t}`}
            id={`bond-tab-${t}`}
            role="tab"
            aria-selected={t === tab}
            aria-controls={`bond-panel-${t}`}
            tabIndex={t === tab ? 0 : -1}
            onClick={(e) => {
              e.preventDefault();
              setTab(t);
            }}
            onKeyDown={onKey}
          >
            {label}
          </a>
        </li>
      ))}
    </ul>
  );
}

export function App({ store, interfaces, readonly, first, subscribe, onToggleLink, tabRef }: AppProps) {
  const [tab, setTabState] = useState<Tab>(initialTab);
  const [feed, setFeed] = useState<StatusFeed>(first);
  const [announcement, setAnnouncement] = useState('');
  const [, setVersion] = useState(0);
  const history = useMemo(() => new History(300), []);
  const colours = useColours();
  const previous = useRef<Map<string, string>>(new Map());

  const setTab = (t: Tab) => {
    setTabState(t);
    if (location.hash !== `#${t}`) window.history.replaceState(null, '', `#${t}`);
  };
  tabRef.set = setTab;

  useEffect(() => store.subscribe(() => setVersion((v) => v + 1)), [store]);
  useEffect(() => {
    const take = (f: StatusFeed) => {
      if (f.status) {
        history.add(f.at, f.status);
        // state changes of links are announced to screen readers; the numbers are not (they
        // change every second)
        const changes: string[] = [];
        for (const l of f.status.links ?? []) {
          const before = previous.current.get(l.name);
          if (before !== undefined && before !== l.state) changes.push(format(_('Link %s: %s'), l.name, stateLabel(l.state)));
          previous.current.set(l.name, l.state);
        }
        if (changes.length) setAnnouncement(changes.join('. '));
      }
      setFeed(f);
    };
    take(first);
    return subscribe(take);
  }, []);

  return (
    <div class="bond-root" data-tab={tab}>
      <Tabs tab={tab} setTab={setTab} />
      <div class="bond-sr-only" aria-live="polite" role="status">
        {announcement}
      </div>
      <div id="bond-panel-status" role="tabpanel" aria-labelledby="bond-tab-status" hidden={tab !== 'status'}>
        <StatusPanel
          status={feed.status}
          error={feed.error}
          history={history}
          now={feed.at}
          colours={colours}
          canToggle={!readonly}
          onToggle={(name, enabled) => void onToggleLink(name, enabled)}
        />
      </div>
      <div id="bond-panel-settings" role="tabpanel" aria-labelledby="bond-tab-settings" hidden={tab !== 'settings'}>
        <SettingsForm store={store} interfaces={interfaces} readonly={readonly} />
      </div>
    </div>
  );
}
