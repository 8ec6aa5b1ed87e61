// Changing a package in memory with libuci's semantics (list.c: uci_set, uci_add_list,
// uci_add_section, uci_delete, uci_rename). Every change is checked so that the exported
// file stays loadable by libuci; the parser builds packages through the same functions.

import { UciEditError } from './errors.js';
import type { UciOption, UciPackage, UciSection } from './model.js';
import { anonymousName, isValidName, isValidType, isValidValue } from './names.js';

export function createPackage(name: string): UciPackage {
  return { name, sections: [], sectionCounter: 0 };
}

function checkName(what: string, name: string): void {
  if (!isValidName(name)) throw new UciEditError(`invalid ${what} name '${name}' (allowed: A-Z a-z 0-9 _)`);
}

function checkValue(value: string): void {
  if (!isValidValue(value)) throw new UciEditError('a UCI value cannot contain a NUL character');
}

// Adds a section at the end: named when `name` is given, else anonymous with a generated
// name (see names.ts: anonymousName).
export function addSection(pkg: UciPackage, type: string, name?: string, line = 0): UciSection {
  if (!isValidType(type)) throw new UciEditError(`invalid section type '${type}' (allowed: printable ASCII, no space)`);
  if (name !== undefined) {
    checkName('section', name);
    if (pkg.sections.some((s) => s.name === name)) throw new UciEditError(`section '${name}' exists already`);
  }
  pkg.sectionCounter++;
  const section: UciSection = {
    type,
    name: name ?? anonymousName(pkg.sectionCounter, type),
    anonymous: name === undefined,
    line,
    options: [],
  };
  pkg.sections.push(section);
  return section;
}

// A section by name or by libuci's extended syntax: `@type[n]` is the n-th section of that
// type (named ones count too), `@[n]` the n-th of any type; negative n counts from the end.
export function findSection(pkg: UciPackage, ref: string): UciSection | undefined {
  const m = /^@([^[]*)\[([+-]?\d+)\]$/.exec(ref);
  if (!m) return pkg.sections.find((s) => s.name === ref);
  const type = m[1]!;
  const candidates = type === '' ? pkg.sections : pkg.sections.filter((s) => s.type === type);
  const n = Number(m[2]);
  return candidates[n < 0 ? candidates.length + n : n];
}

export function deleteSection(pkg: UciPackage, section: UciSection): void {
  const i = pkg.sections.indexOf(section);
  if (i < 0) throw new UciEditError(`section '${section.name}' is not in package '${pkg.name}'`);
  pkg.sections.splice(i, 1);
}

export function renameSection(pkg: UciPackage, section: UciSection, name: string): void {
  checkName('section', name);
  if (pkg.sections.some((s) => s !== section && s.name === name)) throw new UciEditError(`section '${name}' exists already`);
  section.name = name;
  section.anonymous = false;
}

export function getOption(section: UciSection, name: string): UciOption | undefined {
  return section.options.find((o) => o.name === name);
}

// Replaces the option where it stands (libuci keeps its position) or appends it.
function put(section: UciSection, option: UciOption): void {
  const i = section.options.findIndex((o) => o.name === option.name);
  if (i < 0) section.options.push(option);
  else section.options[i] = option;
}

// `uci set`: a string sets an option, an array a list; an empty value (or list) deletes it,
// since libuci would drop it on the next load anyway.
export function setOption(section: UciSection, name: string, value: string | readonly string[], line = 0): void {
  checkName('option', name);
  if (typeof value === 'string') {
    checkValue(value);
    if (value === '') deleteOption(section, name);
    else put(section, { kind: 'string', name, value, line });
    return;
  }
  value.forEach(checkValue);
  if (value.length === 0) deleteOption(section, name);
  else put(section, { kind: 'list', name, items: value.map((v) => ({ value: v, line })), line });
}

// `uci add_list`: appends an item; an option of that name becomes the list's first item.
export function addListItem(section: UciSection, name: string, value: string, line = 0): void {
  checkName('option', name);
  checkValue(value);
  const old = getOption(section, name);
  if (old?.kind === 'list') {
    old.items.push({ value, line });
    old.line = line;
    return;
  }
  const items = old ? [{ value: old.value, line: old.line }] : [];
  put(section, { kind: 'list', name, items: [...items, { value, line }], line });
}

export function deleteOption(section: UciSection, name: string): boolean {
  const i = section.options.findIndex((o) => o.name === name);
  if (i >= 0) section.options.splice(i, 1);
  return i >= 0;
}
