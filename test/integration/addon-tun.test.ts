// The addon's TUN device: packets the kernel routes to it are read in batches, and packets
// written to it enter the kernel's stack. Needs root. The device lives in a namespace of its own.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Namespaces } from '../lab/netns.js';
import { firstLine } from '../lab/traffic/measure.js';
import { needsRoot } from './skip.js';

const skip = needsRoot();
let spaces: Namespaces | undefined;
after(() => spaces?.closeSync());

test('TUN read and write batches, and errors with errno names', { skip }, async () => {
  spaces = new Namespaces('bat');
  const ns = spaces.add('tun');
  // the check runs inside the namespace: see tun-check.ts for what it does
  const child = spaces.spawn(ns, process.execPath, [new URL('./tun-check.js', import.meta.url).pathname]);
  const result = JSON.parse(await firstLine(child, 'tun-check')) as Record<string, unknown>;
  assert.deepEqual(result, {
    name: 'bt0',
    readCount: 20,
    payloadsMatch: true,
    echoedBack: 20,
    duplicateError: 'EBUSY',
    badNameError: 'EINVAL',
  });
});
