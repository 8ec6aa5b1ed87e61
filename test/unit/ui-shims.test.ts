// The page runs src/config and src/uci in the browser with stand-ins for node's Buffer and
// path (luci-app-bond/src/shims). The config's rules must not change there: the key rule
// (base64 of 32 bytes) is checked against node's own Buffer here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { BrowserBuffer } from '../../luci-app-bond/src/shims/buffer.js';
import { basename, dirname, join } from '../../luci-app-bond/src/shims/path.js';
import * as nodePath from 'node:path';

const keyRule = (B: { from(s: string, e: 'base64'): { length: number; toString(e: 'base64'): string } }, s: string) => {
  const b = B.from(s, 'base64');
  return b.length === 32 && b.toString('base64') === s;
};

test('base64 keys: the shim accepts and refuses exactly what node does', () => {
  const samples: string[] = [];
  for (let i = 0; i < 200; i++) {
    const k = randomBytes(32).toString('base64');
    samples.push(k, k.slice(1), k + 'A', k.replace('=', ''), k.replace(/[A-Z]/, '-'), ` ${k}`, k.replace(/^./, '$'), randomBytes(31).toString('base64'), randomBytes(33).toString('base64'));
  }
  samples.push('', '=', 'qX==', 'not a key at all', 'A'.repeat(43) + '=', 'A'.repeat(44));
  for (const s of samples) assert.equal(keyRule(BrowserBuffer, s), keyRule(Buffer, s), JSON.stringify(s));
});

test('base64 and utf8 round trips match node', () => {
  for (const n of [0, 1, 2, 3, 31, 32, 33, 100]) {
    const bytes = randomBytes(n);
    assert.equal(BrowserBuffer.from(bytes).toString('base64'), bytes.toString('base64'));
    assert.deepEqual([...BrowserBuffer.from(bytes.toString('base64'), 'base64')], [...bytes]);
  }
  for (const s of ['', 'abc', "it's", 'grüße', '日本', '\n\t']) {
    assert.deepEqual([...BrowserBuffer.from(s, 'utf8')], [...Buffer.from(s, 'utf8')]);
    assert.equal(BrowserBuffer.from(Buffer.from(s)).toString('utf8'), s);
  }
});

test('path names as node gives them', () => {
  for (const p of ['/etc/config/bonding', 'bonding', '/etc/config/', '/x', 'a/b/c']) {
    assert.equal(basename(p), nodePath.basename(p), p);
    assert.equal(dirname(p), nodePath.dirname(p), p);
  }
  assert.equal(join('/var/run', 'uci', 'bonding'), nodePath.join('/var/run', 'uci', 'bonding'));
});
