import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { presharedKey, createInit, parseInit, verifyInit, createResponse, openResponse, INIT_LEN, type ParsedInit } from '../../src/wire/handshake.js';

const key = presharedKey(randomBytes(32).toString('base64'));
const other = presharedKey(randomBytes(32).toString('base64'));

function serverAnswer(init: Buffer, k = key) {
  const parsed = parseInit(init) as ParsedInit;
  assert.equal(typeof parsed, 'object');
  assert.ok(verifyInit(k, init));
  return createResponse(k, parsed, 0xabc, true, { address: '10.77.0.2/24', mtu: 1400 });
}

test('a handshake gives both sides matching keys and the tunnel settings', () => {
  const pending = createInit(key, 0x1234, 0);
  assert.equal(pending.packet.length, INIT_LEN);
  const parsed = parseInit(pending.packet) as ParsedInit;
  assert.equal(parsed.keyId, key.keyId.toString('hex'));
  assert.equal(parsed.senderIndex, 0x1234);
  const r = serverAnswer(pending.packet);
  assert.ok(r.packet.length <= INIT_LEN, 'the response is no larger than the init (no amplification)');
  const got = openResponse(key, pending, r.packet);
  assert.equal(typeof got, 'object');
  if (typeof got === 'string') return;
  assert.ok(got.keys.send.equals(r.keys.recv));
  assert.ok(got.keys.recv.equals(r.keys.send));
  assert.ok(!got.keys.send.equals(got.keys.recv));
  assert.equal(got.serverIndex, 0xabc);
  assert.equal(got.fresh, true);
  assert.deepEqual(got.settings, { address: '10.77.0.2/24', mtu: 1400 });
});

test('every handshake has fresh keys (ephemeral X25519)', () => {
  const a = createInit(key, 1, 0), b = createInit(key, 1, 0);
  const ka = openResponse(key, a, serverAnswer(a.packet).packet), kb = openResponse(key, b, serverAnswer(b.packet).packet);
  assert.ok(typeof ka === 'object' && typeof kb === 'object' && !ka.keys.send.equals(kb.keys.send));
});

test('an init made with another key does not verify', () => {
  const pending = createInit(other, 1, 0);
  assert.ok(!verifyInit(key, pending.packet));
});

test('a changed byte anywhere in the init breaks its MAC', () => {
  const pending = createInit(key, 1, 0);
  for (const at of [0, 4, 9, 20, 50, 57, 100, 245]) {
    const p = Buffer.from(pending.packet);
    p[at]! ^= 1;
    assert.ok(!verifyInit(key, p), `byte ${at}`);
  }
});

test('truncated or oversized inits are rejected by shape', () => {
  const pending = createInit(key, 1, 0);
  assert.match(parseInit(pending.packet.subarray(0, 100)) as string, /100 bytes/);
  assert.match(parseInit(Buffer.concat([pending.packet, Buffer.alloc(1)])) as string, /257 bytes/);
  assert.ok(!verifyInit(key, pending.packet.subarray(0, 255)));
});

test('a response from a server with the wrong key, or to another init, is refused', () => {
  const pending = createInit(key, 7, 0);
  const parsed = parseInit(pending.packet) as ParsedInit;
  const forged = createResponse(other, parsed, 1, false, {});
  assert.match(openResponse(key, pending, forged.packet) as string, /does not authenticate/);
  const another = createInit(key, 8, 0);
  assert.match(openResponse(key, pending, serverAnswer(another.packet).packet) as string, /another init/);
  // a response replayed to a later init with the same index does not authenticate either
  const later = createInit(key, 7, 0);
  assert.match(openResponse(key, later, serverAnswer(pending.packet).packet) as string, /does not authenticate/);
});

test('a tampered or truncated response is refused', () => {
  const pending = createInit(key, 7, 0);
  const r = serverAnswer(pending.packet).packet;
  for (const at of [2, 8, 20, 60, r.length - 1]) {
    const p = Buffer.from(r);
    p[at]! ^= 1;
    assert.equal(typeof openResponse(key, pending, p), 'string', `byte ${at}`);
  }
  assert.equal(typeof openResponse(key, pending, r.subarray(0, 50)), 'string');
});

test('presharedKey rejects what is not 32 bytes of base64', () => {
  assert.throws(() => presharedKey('short'), /32 bytes/);
  assert.throws(() => presharedKey(randomBytes(31).toString('base64')), /32 bytes/);
});
