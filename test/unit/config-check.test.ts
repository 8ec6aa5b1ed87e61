// `bondd check`: the built CLI's exit codes and output, and the problem format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatProblem } from '../../src/config/load.js';
import { BONDD } from '../lab/paths.js';

const KEY = 'qXbDc4zaZBU1qY2yIjwX0ufCu4i4cxKDs2JzaYiLGzQ=';

function bondd(...args: string[]) {
  const r = spawnSync(process.execPath, [BONDD, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('problems print as FILE:LINE: severity: message, file-wide ones without a line', () => {
  assert.equal(formatProblem({ file: '/etc/config/bonding', line: 7, severity: 'error', message: 'bad' }), '/etc/config/bonding:7: error: bad');
  assert.equal(formatProblem({ file: 'f', line: 3, severity: 'warning', message: 'odd' }), 'f:3: warning: odd');
  assert.equal(formatProblem({ file: 'f', line: 0, severity: 'error', message: 'gone' }), 'f: error: gone');
});

test('node dist/bondd.js check: exit codes, stderr and --json', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bondd-check-'));
  try {
    const good = join(dir, 'good');
    writeFileSync(good, `config bonding 'main'\n\toption mode 'client'\n\toption server 'vps.example.net'\n\toption key '${KEY}'\n\toption colour 'red'\n\nconfig link 'wan'\n\toption device 'eth1'\n`);
    const bad = join(dir, 'bad');
    writeFileSync(bad, `config bonding 'main'\n\toption mode 'client'\n\toption mtu '99999'\n\nconfig link 'wan'\n\toption max_up 'fast'\n`);

    const ok = bondd('check', '--config', good);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, '');
    assert.equal(ok.stderr, `${good}:5: warning: unknown option 'colour' in bonding 'main' (ignored)\n`);

    const json = bondd('check', '--config', good, '--json');
    assert.equal(json.code, 0);
    const config = JSON.parse(json.stdout);
    assert.equal(json.stdout, JSON.stringify(config, null, 2) + '\n');
    assert.deepEqual([config.mode, config.port, config.mtu, config.links[0].name, config.links[0].device], ['client', 7010, 1400, 'wan', 'eth1']);

    const failed = bondd('check', '--config', bad, '--json');
    assert.equal(failed.code, 1);
    assert.equal(failed.stdout, '');
    assert.deepEqual(failed.stderr.trimEnd().split('\n'), [
      `${bad}:1: error: bonding 'main' needs option 'server'`,
      `${bad}:1: error: bonding 'main' needs option 'key'`,
      `${bad}:3: error: option 'mtu' '99999': must be an integer from 576 to 9000`,
      `${bad}:5: error: link 'wan' needs option 'interface' (netifd) or 'device' (kernel)`,
      `${bad}:6: error: option 'max_up' 'fast': must be a positive number of Mbit/s`,
    ]);

    const missing = bondd('check', '--config', join(dir, 'none'));
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, `${join(dir, 'none')}: error: cannot read the config: no such file\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bondd genkey prints a fresh 32-byte key in base64', () => {
  const a = bondd('genkey');
  const b = bondd('genkey');
  assert.equal(a.code, 0, a.stderr);
  const key = a.stdout.trim();
  assert.equal(Buffer.from(key, 'base64').length, 32, `'${key}' is 32 bytes in base64`);
  assert.equal(Buffer.from(key, 'base64').toString('base64'), key);
  assert.notEqual(b.stdout.trim(), key, 'two calls, two keys');
});
