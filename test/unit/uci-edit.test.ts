// The writer: changes with libuci's semantics, and files that load back unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  addListItem,
  addSection,
  createPackage,
  deleteOption,
  deleteSection,
  findSection,
  getOption,
  renameSection,
  setOption,
} from '../../src/uci/edit.js';
import { UciEditError } from '../../src/uci/errors.js';
import type { UciOption } from '../../src/uci/model.js';
import { exportUci, serializeUci } from '../../src/uci/export.js';
import { readUciFile, uciPath, writeUciFile } from '../../src/uci/file.js';
import { parseUci } from '../../src/uci/parse.js';
import { showUci } from '../../src/uci/show.js';

test('building a package gives the file uci commit would write', () => {
  const pkg = createPackage('bonding');
  const main = addSection(pkg, 'bonding', 'main');
  setOption(main, 'mode', 'client');
  setOption(main, 'key', "it's");
  const link = addSection(pkg, 'link');
  setOption(link, 'device', 'eth1');
  setOption(link, 'track', ['1.1.1.1', '9.9.9.9']);
  assert.equal(
    serializeUci(pkg),
    `\nconfig bonding 'main'\n\toption mode 'client'\n\toption key 'it'\\''s'\n\nconfig link\n\toption device 'eth1'\n\tlist track '1.1.1.1'\n\tlist track '9.9.9.9'\n\n`,
  );
  assert.equal(link.name, 'cfg0215b3');
  assert.equal(showUci(pkg).split('\n')[3], 'bonding.@link[0]=link');
});

test('setting keeps the option in place; empty values delete', () => {
  const s = addSection(createPackage('t'), 'x', 'a');
  setOption(s, 'one', '1');
  setOption(s, 'two', '2');
  setOption(s, 'one', ['a', 'b']);
  assert.deepEqual(s.options.map((o) => o.name), ['one', 'two']);
  setOption(s, 'one', 'back');
  assert.deepEqual(getOption(s, 'one'), { kind: 'string', name: 'one', value: 'back', line: 0 });
  setOption(s, 'one', '');
  setOption(s, 'two', []);
  assert.deepEqual(s.options, []);
});

test('add_list turns an option into a list in place', () => {
  const s = addSection(createPackage('t'), 'x', 'a');
  setOption(s, 'l', 'first');
  setOption(s, 'z', 'z');
  addListItem(s, 'l', 'second');
  addListItem(s, 'new', 'n');
  assert.equal(exportUci({ name: 't', sections: [s], sectionCounter: 1 }), `package t\n\nconfig x 'a'\n\tlist l 'first'\n\tlist l 'second'\n\toption z 'z'\n\tlist new 'n'\n\n`);
});

test('deleting options and sections; the counter does not go back', () => {
  const pkg = createPackage('t');
  const a = addSection(pkg, 'rule');
  const b = addSection(pkg, 'rule');
  setOption(a, 'x', '1');
  assert.equal(deleteOption(a, 'x'), true);
  assert.equal(deleteOption(a, 'x'), false);
  deleteSection(pkg, a);
  const c = addSection(pkg, 'rule');
  assert.deepEqual(pkg.sections.map((s) => s.name), [b.name, c.name]);
  assert.equal(c.name, 'cfg0392bd');
  assert.throws(() => deleteSection(pkg, a), UciEditError);
});

test('@type[n] and @[n] address sections in file order, negative from the end', () => {
  const pkg = parseUci(`config link 'a'\nconfig peer\nconfig link\nconfig link 'c'\n`, { name: 't' });
  assert.equal(findSection(pkg, 'a')?.name, 'a');
  assert.equal(findSection(pkg, '@link[0]')?.name, 'a');
  assert.equal(findSection(pkg, '@link[1]')?.name, pkg.sections[2]!.name);
  assert.equal(findSection(pkg, '@link[-1]')?.name, 'c');
  assert.equal(findSection(pkg, '@[1]')?.type, 'peer');
  assert.equal(findSection(pkg, '@link[3]'), undefined);
  assert.equal(findSection(pkg, pkg.sections[1]!.name)?.type, 'peer');
  assert.equal(findSection(pkg, 'nope'), undefined);
});

test('renaming makes an anonymous section named', () => {
  const pkg = createPackage('t');
  const s = addSection(pkg, 'link');
  addSection(pkg, 'link', 'b');
  renameSection(pkg, s, 'wan');
  assert.equal(exportUci(pkg), `package t\n\nconfig link 'wan'\n\nconfig link 'b'\n\n`);
  assert.throws(() => renameSection(pkg, s, 'b'), /exists already/);
});

test('the writer refuses what libuci could not load back', () => {
  const pkg = createPackage('t');
  const s = addSection(pkg, 'x', 'a');
  assert.throws(() => addSection(pkg, 'x', 'a'), /exists already/);
  assert.throws(() => addSection(pkg, 'has space'), UciEditError);
  assert.throws(() => addSection(pkg, 'x', 'bad-name'), UciEditError);
  assert.throws(() => setOption(s, 'bad.name', 'v'), UciEditError);
  assert.throws(() => setOption(s, 'n', 'nul\0'), UciEditError);
  assert.throws(() => addListItem(s, 'n', '\0'), UciEditError);
  assert.throws(() => renameSection(pkg, s, ''), UciEditError);
});

// Options without their line numbers.
function optionValues(options: UciOption[]): [string, string | string[]][] {
  return options.map((o) => [o.name, o.kind === 'string' ? o.value : o.items.map((i) => i.value)]);
}

test('any value survives serialise and reload', () => {
  const values = ["'", "it's", '"quoted"', 'back\\slash', 'trailing\\', 'new\nline', 'tab\tcr\r', '# not a comment', 'a; option b c', ' spaced ', '', 'ü€😀', '\x01ctl', "''\\''"];
  const pkg = createPackage('t');
  const s = addSection(pkg, 'x', 'a');
  values.forEach((v, i) => {
    if (v !== '') setOption(s, `o${i}`, v);
  });
  setOption(s, 'l', values);
  const back = parseUci(serializeUci(pkg), { name: 't' });
  assert.deepEqual(optionValues(back.sections[0]!.options), optionValues(s.options));
  assert.equal(exportUci(back), exportUci(pkg));
});

test('files: read, write atomically keeping mode and symlinks, reload', () => {
  const dir = mkdtempSync(join(tmpdir(), 'uci-'));
  try {
    const file = join(dir, 'bonding');
    writeFileSync(file, `config bonding 'main'\n\toption mode client # a comment\n`);
    chmodSync(file, 0o600);
    const { pkg, path } = readUciFile(file);
    assert.equal(path, file);
    assert.equal(pkg.name, 'bonding');
    setOption(pkg.sections[0]!, 'port', '7010');
    writeUciFile(file, pkg);
    assert.equal(readFileSync(file, 'utf8'), `\nconfig bonding 'main'\n\toption mode 'client'\n\toption port '7010'\n\n`);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(dir), ['bonding']);
    symlinkSync('bonding', join(dir, 'link'));
    writeUciFile(join(dir, 'link'), createPackage('link'));
    assert.ok(lstatSync(join(dir, 'link')).isSymbolicLink());
    assert.equal(readFileSync(file, 'utf8'), '\n');
    writeFileSync(file, `config bonding 'main'\n\toption mode 'a\n`);
    assert.throws(() => readUciFile(file), (err: Error) => err.message === `${file}:2:14: EOF with unterminated '`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('only files in /etc/config have an override in /var/run/uci', () => {
  assert.equal(uciPath('/tmp/bonding'), '/tmp/bonding');
  assert.match(uciPath('/etc/config/bonding'), /^(\/etc\/config|\/var\/run\/uci)\/bonding$/);
});
