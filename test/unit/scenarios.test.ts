// The lab's command-line choice of scenarios (bench and demo), without building a lab.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { printedHelp, scenariosFromArgs } from '../lab/scenarios.js';
import { TRACES } from '../lab/paths.js';

test('--scenario picks one, several or all; an unknown name is an error that lists the known ones', () => {
  assert.deepEqual(scenariosFromArgs([], 'asym2').map((s) => s.name), ['asym2']);
  assert.deepEqual(scenariosFromArgs(['--scenario', 'sym2,lte2'], 'all').map((s) => s.name), ['sym2', 'lte2']);
  assert.ok(scenariosFromArgs(['--scenario', 'all'], 'asym2').length >= 7);
  assert.throws(() => scenariosFromArgs(['--scenario', 'nope'], 'all'), /unknown scenario 'nope' \(known: sym2, asym2/);
  assert.throws(() => scenariosFromArgs(['--scenario'], 'all'), /--scenario needs a value/);
});

test('--traces DIR reads the trace links from DIR, and says which file is missing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bond-traces-'));
  try {
    copyFileSync(`${TRACES}lte-a.trace`, join(dir, 'lte-a.trace'));
    assert.throws(() => scenariosFromArgs(['--scenario', 'lte2', '--traces', dir], 'all'), /scenario lte2 needs lte-b\.trace/);
    copyFileSync(`${TRACES}lte-b.trace`, join(dir, 'lte-b.trace'));
    const [lte2] = scenariosFromArgs(['--scenario', 'lte2', '--traces', dir], 'all');
    assert.deepEqual(lte2!.links.map((l) => l.traceFile), [join(dir, 'lte-a.trace'), join(dir, 'lte-b.trace')]);
    // links with a fixed rate are left as they are
    const [sym2] = scenariosFromArgs(['--scenario', 'sym2', '--traces', dir], 'all');
    assert.equal(sym2!.links[0]!.traceFile, undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--help prints the usage and every scenario instead of building a lab', (t) => {
  const printed: string[] = [];
  t.mock.method(console, 'log', (s: string) => printed.push(s));
  assert.equal(printedHelp(['--scenario', 'sym2'], 'usage: x'), false);
  assert.deepEqual(printed, []);
  assert.equal(printedHelp(['--help'], 'usage: x'), true);
  assert.match(printed[0]!, /^usage: x\n[^]*\n  lte2 +two LTE-like/);
});
