// Address arithmetic and value parsers behind the config rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contains, formatAddress, hostBitsSet, isNetworkOrBroadcast, networkOf, parseAddress, parsePrefix, type Prefix } from '../../src/config/ip.js';
import { host, key, mbps, table, type Parsed } from '../../src/config/values.js';

const valid = <T>(r: Parsed<T>) => 'value' in r;

test('IPv4 and IPv6 addresses parse strictly', () => {
  for (const s of ['0.0.0.0', '10.77.0.2', '255.255.255.255', '::', '::1', 'fd77::2', '2001:db8:0:0:1:0:0:1', 'FE80::1', '::ffff:192.0.2.1', '1:2:3:4:5:6:7:8', '1::8']) {
    assert.ok(parseAddress(s), s);
  }
  for (const s of ['', '10.0.0', '10.0.0.256', '010.0.0.1', '1.2.3.4.5', ' 10.0.0.1', '1:2:3:4:5:6:7:8:9', '1::2::3', 'fe80::1%eth0', 'g::1', '12345::', '1:2:3:4:5:6:7::8', ':1', '1.2.3.4::']) {
    assert.equal(parseAddress(s), undefined, s);
  }
  assert.deepEqual(parseAddress('10.0.0.1'), { family: 4, value: 0x0a000001n });
  assert.deepEqual(parseAddress('::ffff:1.2.3.4'), { family: 6, value: 0xffff01020304n });
});

test('canonical IPv6 text', () => {
  const canon = (s: string) => formatAddress(parseAddress(s)!);
  assert.equal(canon('2001:DB8:0:0:1:0:0:1'), '2001:db8::1:0:0:1');
  assert.equal(canon('0:0:0:0:0:0:0:0'), '::');
  assert.equal(canon('1:0:2:3:4:5:6:7'), '1:0:2:3:4:5:6:7');
  assert.equal(canon('fd77:0:0:0:0:0:0:1'), 'fd77::1');
  assert.equal(canon('192.0.2.10'), '192.0.2.10');
});

test('prefixes: containment, host bits, network and broadcast', () => {
  const p = parsePrefix('10.77.0.1/24') as Prefix;
  assert.ok(contains(p, parseAddress('10.77.0.200')!));
  assert.ok(!contains(p, parseAddress('10.77.1.1')!));
  assert.ok(!contains(p, parseAddress('::1')!));
  assert.ok(hostBitsSet(p));
  assert.equal(networkOf(p), '10.77.0.0/24');
  assert.ok(isNetworkOrBroadcast(p, parseAddress('10.77.0.0')!));
  assert.ok(isNetworkOrBroadcast(p, parseAddress('10.77.0.255')!));
  assert.ok(!isNetworkOrBroadcast(p, parseAddress('10.77.0.254')!));
  assert.ok(!isNetworkOrBroadcast(parsePrefix('10.0.0.0/31')!, parseAddress('10.0.0.0')!));
  const p6 = parsePrefix('fd77::1/64')!;
  assert.ok(contains(p6, parseAddress('fd77::ffff:1')!));
  assert.equal(networkOf(p6), 'fd77::/64');
  assert.ok(!hostBitsSet(parsePrefix('0.0.0.0/0')!));
  for (const s of ['10.0.0.0', '10.0.0.0/33', 'fd77::/129', '10.0.0.0/', '10.0.0.0/-1', '/24']) assert.equal(parsePrefix(s), undefined, s);
});

test('host names', () => {
  for (const s of ['vps.example.net', 'localhost', 'a', 'x-1.example', 'example.net.', '198.51.100.7', '2001:db8::7']) assert.ok(valid(host(s)), s);
  for (const s of ['', '-a.example', 'a-.example', 'under_score.net', 'a..b', '1.2.3', '999.1.1.1', `${'a'.repeat(64)}.net`, 'space here']) assert.ok(!valid(host(s)), s);
});

test('keys are exactly 32 bytes of canonical base64', () => {
  assert.ok(valid(key(Buffer.alloc(32, 7).toString('base64'))));
  assert.ok(!valid(key(Buffer.alloc(31).toString('base64'))));
  assert.ok(!valid(key(Buffer.alloc(33).toString('base64'))));
  assert.ok(!valid(key(Buffer.alloc(32).toString('base64url'))));
  assert.ok(!valid(key(' ' + Buffer.alloc(32).toString('base64'))));
});

test('tables and rates', () => {
  for (const t of ['1', '252', '256', '2147483648']) assert.ok(valid(table(t)), t);
  for (const t of ['0', '253', '254', '255', '2147483649', '-1', '1e3', '']) assert.ok(!valid(table(t)), t);
  for (const m of ['1', '0.5', '.5', '1000', '12.']) assert.ok(valid(mbps(m)), m);
  for (const m of ['0', '0.0', '-1', 'Infinity', 'NaN', '1e3', '', '1,5']) assert.ok(!valid(mbps(m)), m);
});
