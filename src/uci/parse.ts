// Loading a UCI file the way `uci` does (libuci uci_import for one package, file.c):
// line by line, commands `package`, `config`, `option`, `list` (or their first letters),
// several commands per line separated by ';'. Strict mode, libuci's default, fails on the
// first error; lenient mode (`uci -S`) skips the rest of a bad line and goes on.

import { UciSyntaxError } from './errors.js';
import { addListItem, createPackage, addSection, setOption } from './edit.js';
import { Lexer } from './lexer.js';
import type { UciPackage, UciSection } from './model.js';
import { isValidType } from './names.js';
import { LineBuffer } from './reader.js';

export interface ParseOptions {
  // Package name: a UCI file is named by its file name; `package` lines inside do not change it.
  name: string;
  // For error messages; defaults to the package name.
  file?: string;
}

interface State {
  lex: Lexer;
  pkg: UciPackage;
  section: UciSection | undefined;
  strict: boolean;
}

function toBytes(input: Uint8Array | string): Uint8Array {
  return typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
}

function parseConfig(st: State, line: number): void {
  const { lex, pkg } = st;
  lex.skipCommandWord('config without name');
  const type = lex.arg(true, 'text');
  if (!isValidType(type)) lex.fail('invalid character in type field', lex.argStart);
  const name = lex.arg(false, 'name');
  const nameAt = lex.argStart;
  lex.endOfCommand(st.strict);
  if (name === '') {
    st.section = addSection(pkg, type, undefined, line);
    return;
  }
  const existing = pkg.sections.find((s) => s.name === name);
  if (!existing) {
    st.section = addSection(pkg, type, name, line);
    return;
  }
  // A repeated name reopens the section; options then merge into it.
  if (existing.type !== type) {
    if (st.strict) lex.fail('section of different type overwrites prior section with same name', nameAt);
    existing.type = type;
  }
  st.section = existing;
}

function parseOption(st: State, line: number, list: boolean): void {
  const { lex, section } = st;
  if (!section) return st.lex.fail('option/list command found before the first section');
  lex.skipCommandWord('option without name');
  const name = lex.arg(true, 'name');
  const value = lex.arg(false, 'text');
  lex.endOfCommand(st.strict);
  if (list) addListItem(section, name, value, line);
  // libuci's uci_set ignores an empty value here: `option x ''` neither creates nor clears x.
  else if (value !== '') setOption(section, name, value, line);
}

function parsePackage(st: State): void {
  st.lex.skipCommandWord('package without name');
  st.lex.arg(true, 'package');
  st.lex.endOfCommand(st.strict);
}

function parseLine(st: State): void {
  const { lex } = st;
  lex.skipSpace();
  for (;;) {
    const word = lex.commandWord();
    if (word === undefined || word.startsWith('#')) return;
    const line = lex.buf.where(lex.buf.pos).line;
    if (word === 'p' || word === 'package') parsePackage(st);
    else if (word === 'c' || word === 'config') parseConfig(st, line);
    else if (word === 'o' || word === 'option') parseOption(st, line, false);
    else if (word === 'l' || word === 'list') parseOption(st, line, true);
    else lex.fail('invalid command');
  }
}

function load(input: Uint8Array | string, opts: ParseOptions, strict: boolean): { pkg: UciPackage; errors: UciSyntaxError[] } {
  const buf = new LineBuffer(toBytes(input));
  const st: State = { lex: new Lexer(buf, opts.file ?? opts.name), pkg: createPackage(opts.name), section: undefined, strict };
  const errors: UciSyntaxError[] = [];
  while (!buf.eof) {
    buf.pos = 0;
    buf.fetch(0);
    if (buf.at(0) === 0) continue;
    try {
      parseLine(st);
    } catch (err) {
      if (strict || !(err instanceof UciSyntaxError)) throw err;
      errors.push(err);
    }
  }
  return { pkg: st.pkg, errors };
}

// Parses a whole file; throws UciSyntaxError at the first error, as libuci does by default.
export function parseUci(input: Uint8Array | string, opts: ParseOptions): UciPackage {
  return load(input, opts, true).pkg;
}

// `uci -S`: errors drop the rest of their line and are returned instead of thrown.
export function parseUciLenient(input: Uint8Array | string, opts: ParseOptions): { pkg: UciPackage; errors: UciSyntaxError[] } {
  return load(input, opts, false);
}
