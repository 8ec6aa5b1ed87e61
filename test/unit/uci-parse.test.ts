// Parser behaviour beyond the corpus: line numbers kept in the model, error positions for
// people, and libuci's quirks that the config loader relies on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UciSyntaxError } from '../../src/uci/errors.js';
import { exportUci } from '../../src/uci/export.js';
import type { UciOption } from '../../src/uci/model.js';
import { parseUci, parseUciLenient } from '../../src/uci/parse.js';

const parse = (text: string) => parseUci(text, { name: 'bonding', file: '/etc/config/bonding' });

function syntaxError(text: string): UciSyntaxError {
  try {
    parse(text);
  } catch (err) {
    if (err instanceof UciSyntaxError) return err;
    throw err;
  }
  assert.fail('no error');
}

function value(o: UciOption | undefined): string | string[] | undefined {
  if (!o) return undefined;
  return o.kind === 'string' ? o.value : o.items.map((i) => i.value);
}

test('sections and options remember their lines', () => {
  const pkg = parse(`# comment\n\nconfig bonding 'main'\n\toption mode 'client'\n\n\tlist x a\n\tlist x b\nconfig link\n\toption device eth1\n`);
  const [main, link] = pkg.sections;
  assert.equal(main!.line, 3);
  assert.equal(main!.options[0]!.line, 4);
  const x = main!.options[1]!;
  assert.equal(x.kind, 'list');
  assert.deepEqual(x.kind === 'list' && x.items.map((i) => i.line), [6, 7]);
  assert.equal(link!.line, 8);
  assert.equal(link!.anonymous, true);
  assert.equal(link!.name, 'cfg0215b3');
});

test('a statement spanning lines is on the line where it starts; the next one after it', () => {
  const pkg = parse(`config a 'b'\n\toption long 'one\ntwo'; option next x\n\toption after y\n`);
  const lines = pkg.sections[0]!.options.map((o) => [o.name, o.line]);
  assert.deepEqual(lines, [
    ['long', 2],
    ['next', 3],
    ['after', 4],
  ]);
});

test('a repeated option keeps its first position and takes the last value and line', () => {
  const s = parse(`config a 'b'\n\toption x 1\n\toption y 2\n\toption x 3\n`).sections[0]!;
  assert.deepEqual(
    s.options.map((o) => [o.name, value(o), o.line]),
    [
      ['x', '3', 4],
      ['y', '2', 3],
    ],
  );
});

test("option x '' neither creates nor clears an option (uci_set during import)", () => {
  const s = parse(`config a 'b'\n\toption x 1\n\toption x ''\n\toption y\n`).sections[0]!;
  assert.deepEqual(s.options.map((o) => [o.name, value(o)]), [['x', '1']]);
});

test('a list item may be empty, and an option becomes the first list item', () => {
  const s = parse(`config a 'b'\n\toption x 1\n\tlist x ''\n`).sections[0]!;
  assert.deepEqual(value(s.options[0]), ['1', '']);
});

test('a repeated named section merges; the merged section keeps its first line', () => {
  const pkg = parse(`config link 'a'\n\toption device x\nconfig link 'b'\nconfig link 'a'\n\toption role backup\n`);
  assert.equal(pkg.sections.length, 2);
  assert.equal(pkg.sections[0]!.line, 1);
  assert.deepEqual(pkg.sections[0]!.options.map((o) => o.name), ['device', 'role']);
});

test('errors name the file, the line and the column', () => {
  const cases: [string, string, number, number][] = [
    [`config a 'b'\n\toption x 1 2\n`, 'too many arguments', 2, 13],
    [`config a 'b'\n\toptoin x 1\n`, 'invalid command', 2, 2],
    [`\toption x 1\n`, 'option/list command found before the first section', 1, 2],
    [`config a 'b-c'\n`, 'invalid character in name field', 1, 10],
    [`config a 'b'\n\toption x-y 1\n`, 'invalid character in name field', 2, 9],
    [`config a 'b'\n\toption x 'open\nstill open\n`, "EOF with unterminated '", 2, 11],
    [`config a 'b'\nconfig c 'b'\n`, 'section of different type overwrites prior section with same name', 2, 10],
    [`config 'a b'\n`, 'invalid character in type field', 1, 8],
    [`config a 'b'\n\toption\n`, 'invalid command', 2, 2],
  ];
  for (const [text, reason, line, column] of cases) {
    const err = syntaxError(text);
    assert.deepEqual([err.reason, err.line, err.column], [reason, line, column], text);
    assert.equal(err.message, `/etc/config/bonding:${line}:${column}: ${reason}`);
  }
});

test('the first error of a file is reported, later lines are not parsed', () => {
  const err = syntaxError(`config a 'b'\n\toption x 1 2\n\toption y 1 2\n`);
  assert.equal(err.line, 2);
});

test('lenient parsing reports every bad line and keeps the rest', () => {
  const { pkg, errors } = parseUciLenient(`config a 'b'\n\toption x 1\n\tbad\n\toption y 2\n\tbad again\n`, { name: 't' });
  assert.deepEqual(errors.map((e) => e.line), [3, 5]);
  assert.equal(exportUci(pkg), `package t\n\nconfig a 'b'\n\toption x '1'\n\toption y '2'\n\n`);
});

test('input may be a string or bytes; UTF-8 values survive', () => {
  const text = `config a 'b'\n\toption name 'Küche – 家'\n`;
  assert.equal(exportUci(parse(text)), exportUci(parseUci(Buffer.from(text), { name: 'bonding' })));
  assert.equal(value(parse(text).sections[0]!.options[0]), 'Küche – 家');
});

test("a ';' right after an unquoted value swallows the rest of the line, as in libuci", () => {
  const s = parse(`config a 'b'; option x 1; option y 2\n`).sections[0]!;
  assert.deepEqual(s.options.map((o) => o.name), ['x']);
});

test('backslash-newline joins lines; a blank at the start of the next line still ends the word', () => {
  const s = parse(`config a 'b'\n\toption x ab\\\ncd\n\toption y\\\n\tvalue\n`).sections[0]!;
  assert.deepEqual(s.options.map((o) => [o.name, value(o), o.line]), [
    ['x', 'abcd', 2],
    ['y', 'value', 4],
  ]);
});
