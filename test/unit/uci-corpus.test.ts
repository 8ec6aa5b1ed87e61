// Every case of the recorded corpus: what the real `uci export`/`uci show` (and their -n/-X
// variants) printed must come out byte for byte; broken files must fail with libuci's
// own message, line and byte; `uci -S` (lenient) output and messages must match too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exportUci } from '../../src/uci/export.js';
import { UciSyntaxError } from '../../src/uci/errors.js';
import { parseUci, parseUciLenient } from '../../src/uci/parse.js';
import { showUci } from '../../src/uci/show.js';
import { caseFile, caseMeta, corpusCases, type CorpusCase } from './uci-fixtures.js';

const cases = corpusCases();

function text(c: CorpusCase, name: string): string | undefined {
  return caseFile(c, name)?.toString('utf8');
}

test('the corpus is complete', () => {
  assert.equal(cases.length, 76);
  assert.equal(cases.filter((c) => !c.valid).length, 19);
});

for (const c of cases.filter((c) => c.valid)) {
  test(`valid: ${c.case}`, () => {
    const pkg = parseUci(caseFile(c, 'input')!, { name: c.package });
    const exported = text(c, 'export.txt')!;
    const shown = text(c, 'show.txt')!;
    assert.equal(exportUci(pkg), exported, 'export');
    assert.equal(showUci(pkg), shown, 'show');
    assert.equal(exportUci(pkg, { names: true }), text(c, 'export.n.txt') ?? exported, 'export -n');
    assert.equal(showUci(pkg, { names: true }), text(c, 'show.X.txt') ?? shown, 'show -X');
  });
}

for (const c of cases.filter((c) => !c.valid)) {
  test(`invalid: ${c.case}`, () => {
    const input = caseFile(c, 'input')!;
    const expected = text(c, 'error.txt')!.replace(/^uci: /, '').replace(/\n$/, '');
    assert.throws(
      () => parseUci(input, { name: c.package }),
      (err: unknown) => {
        assert.ok(err instanceof UciSyntaxError);
        assert.equal(err.libuciMessage, expected);
        // People are pointed at the start of the offending token, which is at or before
        // libuci's position (its line counter only counts finished lines, and loses count
        // around NUL bytes).
        const uciLine = Number(/at line (\d+)/.exec(expected)![1]);
        if (!input.includes(0)) assert.ok(err.line >= 1 && err.line <= uciLine + 1, `line ${err.line}, libuci ${uciLine}`);
        assert.match(err.message, new RegExp(`^${c.package}:${err.line}:\\d+: `));
        return true;
      },
    );
    const lenient = parseUciLenient(input, { name: c.package });
    assert.equal(exportUci(lenient.pkg), text(c, 'export.nonstrict.txt') ?? `package ${c.package}\n\n`, 'export -S');
    assert.equal(showUci(lenient.pkg), text(c, 'show.nonstrict.txt') ?? '', 'show -S');
    const stderr = caseMeta(c).commands['export.nonstrict']!.stderr ?? '';
    assert.equal(lenient.errors.map((e) => e.libuciMessage + '\n').join(''), stderr, 'messages of -S');
  });
}
