// The settings form and /etc/config/bonding: the form's state read from the UCI sections (as
// LuCI's uci.js holds them), and the sections the form would make of them. Options the form
// does not show (gateway, table, mtu, peers, unknown ones) pass through untouched.
import { DEFAULT_ROLE, DEFAULT_SCHEDULER } from '../../../src/config/types.js';
import { FALSE } from '../../../src/config/values.js';
import type { UciSectionObject } from '../luci.js';

export type LinkSource = 'interface' | 'device';

export interface MainForm {
  sid: string | null; // the bonding section, null when the file has none yet
  enabled: boolean;
  mode: string;
  server: string;
  port: string;
  key: string;
  scheduler: string;
}

export interface LinkForm {
  id: string; // stable for the page's lifetime: field ids and error keys use it
  sid: string | null; // the existing section, null for a link added in the form
  name: string; // the section name (editable for new links only)
  enabled: boolean;
  source: LinkSource;
  interface: string;
  device: string;
  role: string;
  max_down: string;
  max_up: string;
}

export interface FormState {
  main: MainForm;
  links: LinkForm[];
}

export const DEFAULTS = { mode: 'client', scheduler: DEFAULT_SCHEDULER, role: DEFAULT_ROLE } as const;

function str(v: unknown): string {
  return typeof v === 'string' ? v : Array.isArray(v) ? String(v[0] ?? '') : '';
}

function flag(v: unknown): boolean {
  return typeof v !== 'string' || !FALSE.includes(v);
}

let nextId = 0;
const newId = () => `l${++nextId}`;

export function readForm(sections: UciSectionObject[]): FormState {
  const main = sections.find((s) => s['.type'] === 'bonding');
  return {
    main: {
      sid: main?.['.name'] ?? null,
      enabled: flag(main?.enabled),
      mode: str(main?.mode) || DEFAULTS.mode,
      server: str(main?.server),
      port: str(main?.port),
      key: str(main?.key),
      scheduler: str(main?.scheduler) || DEFAULTS.scheduler,
    },
    links: sections
      .filter((s) => s['.type'] === 'link')
      .map((s) => ({
        id: newId(),
        sid: s['.name'],
        name: s['.name'],
        enabled: flag(s.enabled),
        source: s.device !== undefined && s.interface === undefined ? 'device' : 'interface',
        interface: str(s.interface),
        device: str(s.device),
        role: str(s.role) || DEFAULTS.role,
        max_down: str(s.max_down),
        max_up: str(s.max_up),
      })),
  };
}

export function newLink(form: FormState, iface = ''): LinkForm {
  return {
    id: newId(),
    sid: null,
    name: uniqueName(form, iface || 'link'),
    enabled: true,
    source: 'interface',
    interface: iface,
    device: '',
    role: DEFAULTS.role,
    max_down: '',
    max_up: '',
  };
}

// A section name from an interface name: UCI names are [A-Za-z0-9_], unique in the file.
export function uniqueName(form: FormState, base: string): string {
  const clean = base.replace(/[^A-Za-z0-9_]/g, '_') || 'link';
  const taken = new Set([form.main.sid ?? 'main', ...form.links.map((l) => l.name)]);
  if (!taken.has(clean)) return clean;
  for (let i = 2; ; i++) if (!taken.has(`${clean}${i}`)) return `${clean}${i}`;
}

// One section as the form would leave it. `key` ties it back to the form ('main', a link's
// id) or is null for a section the form does not edit.
export interface Section {
  key: string | null;
  sid: string | null; // existing section name, null when new
  type: string;
  name: string | null; // null: anonymous
  options: [string, string | string[]][];
}

type Change = [option: string, value: string | null];

function applyChanges(options: [string, string | string[]][], changes: Change[]): [string, string | string[]][] {
  const out = options.map(([n, v]) => [n, v] as [string, string | string[]]);
  for (const [name, value] of changes) {
    const i = out.findIndex(([n]) => n === name);
    if (value === null) {
      if (i >= 0) out.splice(i, 1);
    } else if (i >= 0) out[i] = [name, value];
    else out.push([name, value]);
  }
  return out;
}

// The options of a UCI section object, in the order uci.js keeps them.
function optionsOf(s: UciSectionObject | undefined): [string, string | string[]][] {
  if (!s) return [];
  return Object.entries(s)
    .filter(([k, v]) => !k.startsWith('.') && (typeof v === 'string' || Array.isArray(v)))
    .map(([k, v]) => [k, v as string | string[]]);
}

// A value typed into a text field: surrounding blanks are never meant, empty means unset.
const text = (v: string): string | null => (v.trim() === '' ? null : v.trim());

// A select or checkbox with a default: an option that was absent stays absent while the
// form shows its default, so opening and saving the page changes nothing.
function withDefault(orig: unknown, value: string, dflt: string): string | null {
  if (orig === undefined && value === dflt) return null;
  return value;
}

function flagChange(orig: unknown, value: boolean): string | null | undefined {
  if (orig === undefined && value) return null;
  if (orig !== undefined && flag(orig) === value) return undefined; // keep its spelling
  return value ? '1' : '0';
}

function mainChanges(form: MainForm, orig: UciSectionObject | undefined): Change[] {
  const changes: Change[] = [
    ['mode', form.mode], // no default: bondd check wants it written
    ['server', text(form.server)],
    ['port', text(form.port)],
    ['key', text(form.key)],
    ['scheduler', withDefault(orig?.scheduler, form.scheduler, DEFAULTS.scheduler)],
  ];
  const en = flagChange(orig?.enabled, form.enabled);
  if (en !== undefined) changes.unshift(['enabled', en]);
  return changes;
}

function linkChanges(l: LinkForm, orig: UciSectionObject | undefined): Change[] {
  const changes: Change[] = [
    l.source === 'interface' ? ['interface', text(l.interface)] : ['device', text(l.device)],
    l.source === 'interface' ? ['device', null] : ['interface', null],
    ['role', withDefault(orig?.role, l.role, DEFAULTS.role)],
    ['max_down', text(l.max_down)],
    ['max_up', text(l.max_up)],
  ];
  const en = flagChange(orig?.enabled, l.enabled);
  if (en !== undefined) changes.push(['enabled', en]);
  return changes;
}

/** The sections of the file after the form's edits, in file order (new links at the end). */
export function formSections(sections: UciSectionObject[], form: FormState): Section[] {
  const out: Section[] = [];
  const linksBySid = new Map(form.links.filter((l) => l.sid).map((l) => [l.sid!, l]));
  let mainSeen = false;
  for (const s of sections) {
    const sid = s['.name'];
    const name = s['.anonymous'] ? null : sid;
    if (s['.type'] === 'bonding' && !mainSeen && sid === form.main.sid) {
      mainSeen = true;
      out.push({ key: 'main', sid, type: 'bonding', name, options: applyChanges(optionsOf(s), mainChanges(form.main, s)) });
    } else if (s['.type'] === 'link') {
      const l = linksBySid.get(sid);
      if (l) out.push({ key: l.id, sid, type: 'link', name, options: applyChanges(optionsOf(s), linkChanges(l, s)) });
      // a link missing from the form was removed there
    } else {
      out.push({ key: null, sid, type: s['.type'], name, options: optionsOf(s) });
    }
  }
  if (!mainSeen) out.unshift({ key: 'main', sid: null, type: 'bonding', name: 'main', options: applyChanges([], mainChanges(form.main, undefined)) });
  for (const l of form.links) {
    if (!l.sid) out.push({ key: l.id, sid: null, type: 'link', name: l.name, options: applyChanges([], linkChanges(l, undefined)) });
  }
  return out;
}

// What uci.js has to do to get from the loaded sections to the form's: the calls are made
// by the view (uci.add/set/remove, then uci.save), kept here as data so tests can read them.
export type UciOp =
  | { op: 'add'; type: string; name: string; key: string }
  | { op: 'remove'; sid: string }
  | { op: 'set'; sid: string | { key: string }; option: string; value: string | string[] | null };

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export function uciOps(sections: UciSectionObject[], target: Section[]): UciOp[] {
  const ops: UciOp[] = [];
  const kept = new Set(target.filter((t) => t.sid).map((t) => t.sid!));
  for (const s of sections) if (!kept.has(s['.name'])) ops.push({ op: 'remove', sid: s['.name'] });
  for (const t of target) {
    if (!t.key) continue;
    if (t.sid === null) {
      ops.push({ op: 'add', type: t.type, name: t.name!, key: t.key });
      for (const [option, value] of t.options) ops.push({ op: 'set', sid: { key: t.key }, option, value });
      continue;
    }
    const before = sections.find((s) => s['.name'] === t.sid);
    const old = new Map(optionsOf(before));
    const now = new Map(t.options);
    for (const [option, value] of t.options) if (!same(old.get(option), value)) ops.push({ op: 'set', sid: t.sid, option, value });
    for (const option of old.keys()) if (!now.has(option)) ops.push({ op: 'set', sid: t.sid, option, value: null });
  }
  return ops;
}
