// The addon's UDP batches and AEAD primitive, on loopback (no root needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { PacketBatch, ADDR_SLOT } from '../../src/native/batch.js';
import { UdpSocket } from '../../src/conn/udp.js';
import { encodeEndpoint, formatEndpoint, sameEndpoint } from '../../src/conn/endpoint.js';
import { addon } from '../../src/native/addon.js';
import { until } from '../lab/wait.js';

function readable(sock: UdpSocket): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    sock.onReadable(() => {
      if (!done) (done = true), resolve();
    });
  });
}

test('a batch goes out in one call and comes back with each sender address', async () => {
  const a = new UdpSocket({ address: '127.0.0.1' }), b = new UdpSocket({ address: '127.0.0.1' });
  try {
    const tx = new PacketBatch(100, 2048, 64), rx = new PacketBatch(256, 2048, 16);
    for (let i = 0; i < 100; i++) tx.lengths[i] = tx.slab.write(`packet ${i} `.repeat(i + 1), tx.start(i));
    const ready = readable(b);
    assert.equal(a.send(tx.slab, tx.offsets, tx.lengths, encodeEndpoint('127.0.0.1', b.port), 100), 100);
    await ready;
    let got = 0;
    while (got < 100) {
      const n = b.receive(rx);
      for (let i = 0; i < n; i++, got++) {
        assert.equal(rx.slab.toString('utf8', rx.start(i), rx.start(i) + rx.lengths[i]!), `packet ${got} `.repeat(got + 1));
        assert.equal(formatEndpoint(rx.addrs, i * ADDR_SLOT), `127.0.0.1:${a.port}`);
      }
      if (n === 0) await sleep(5);
    }
  } finally {
    a.close();
    b.close();
  }
});

test('per-packet destinations and IPv6', async () => {
  const s6 = new UdpSocket({ address: '::' });
  const d1 = createSocket('udp6'), d2 = createSocket('udp4');
  try {
    d1.bind(0, '::1');
    d2.bind(0, '127.0.0.1');
    await Promise.all([once(d1, 'listening'), once(d2, 'listening')]);
    const tx = new PacketBatch(2, 256, 0);
    tx.lengths[0] = tx.slab.write('to six', 0);
    tx.lengths[1] = tx.slab.write('to four', 256);
    encodeEndpoint('::1', d1.address().port, tx.addrs, 0);
    encodeEndpoint('127.0.0.1', d2.address().port, tx.addrs, ADDR_SLOT); // v4-mapped on a dual-stack socket
    const got = Promise.all([once(d1, 'message'), once(d2, 'message')]);
    assert.equal(s6.send(tx.slab, tx.offsets, tx.lengths, tx.addrs, 2), 2);
    assert.equal(s6.sendErrors, 0);
    const [[m1], [m2]] = (await got) as [[Buffer], [Buffer]];
    assert.equal(m1.toString(), 'to six');
    assert.equal(m2.toString(), 'to four');
  } finally {
    s6.close();
    d1.close();
    d2.close();
  }
});

test('endpoints encode, format and compare', () => {
  const a = encodeEndpoint('2001:db8::1', 7010), b = encodeEndpoint('2001:db8:0:0::1', 7010);
  assert.equal(formatEndpoint(a), '[2001:db8::1]:7010');
  assert.ok(sameEndpoint(a, 0, b, 0));
  assert.ok(!sameEndpoint(a, 0, encodeEndpoint('2001:db8::1', 7011), 0));
  assert.equal(formatEndpoint(encodeEndpoint('::ffff:1.2.3.4', 1)), '[::ffff:102:304]:1');
  assert.equal(formatEndpoint(encodeEndpoint('192.0.2.9', 65535)), '192.0.2.9:65535');
  assert.throws(() => encodeEndpoint('vps.example.net', 1), /not an IP address/);
});

test('a packet the kernel refuses is skipped and counted; the rest of the batch goes out', async () => {
  const s = new UdpSocket({ address: '127.0.0.1' }), d = createSocket('udp4');
  try {
    d.bind(0, '127.0.0.1');
    await once(d, 'listening');
    const tx = new PacketBatch(3, 256, 0);
    for (let i = 0; i < 3; i++) tx.lengths[i] = tx.slab.write(`p${i}`, tx.start(i));
    encodeEndpoint('127.0.0.1', d.address().port, tx.addrs, 0);
    encodeEndpoint('::1', 9, tx.addrs, ADDR_SLOT); // IPv6 from an IPv4 socket: refused
    encodeEndpoint('127.0.0.1', d.address().port, tx.addrs, 2 * ADDR_SLOT);
    const got: string[] = [];
    d.on('message', (m) => got.push(m.toString()));
    assert.equal(s.send(tx.slab, tx.offsets, tx.lengths, tx.addrs, 3), 3);
    assert.equal(s.sendErrors, 1);
    assert.ok(s.lastSendErrno > 0);
    await until('the two datagrams', () => got.length >= 2);
    assert.deepEqual(got.sort(), ['p0', 'p2']);
  } finally {
    s.close();
    d.close();
  }
});

test('system errors become exceptions with errno names', () => {
  const a = new UdpSocket({ address: '127.0.0.1' });
  try {
    assert.throws(() => new UdpSocket({ address: '127.0.0.1', port: a.port }), (e: NodeJS.ErrnoException) => e.code === 'EADDRINUSE' && /bind/.test(e.message));
    assert.throws(() => addon().setsockopt(a.fd, 6, 13, 'cubic'), (e: NodeJS.ErrnoException) => e.code === 'EOPNOTSUPP' || e.code === 'ENOPROTOOPT');
    assert.throws(() => addon().close(-1), (e: NodeJS.ErrnoException) => e.code === 'EBADF');
    assert.throws(() => addon().udpOpen(5 as 4, '1.2.3.4', 0, '', 0, 0), /family/);
  } finally {
    a.close();
  }
});

for (const [alg, name] of [[0, 'aes-256-gcm'], [1, 'chacha20-poly1305']] as const) {
  test(`aeadSeal/aeadOpen ${name}: out of place, per-packet keys, match node:crypto, reject a changed byte`, () => {
    const keys = randomBytes(64);
    const keyIdx = Int32Array.from([0, 1, 1, 0, 0, 1, 0, 1]);
    const src = new PacketBatch(8, 2048, 100), out = new PacketBatch(8, 2048, 0);
    const nonces = randomBytes(8 * 12);
    const plain: Buffer[] = [], ad: Buffer[] = [];
    for (let i = 0; i < 8; i++) {
      plain.push(randomBytes(1 + 150 * i));
      plain[i]!.copy(src.slab, src.start(i));
      src.lengths[i] = plain[i]!.length;
      ad.push(randomBytes(16));
      ad[i]!.copy(out.slab, out.start(i));
    }
    const outLengths = new Int32Array(8);
    assert.equal(addon().aeadSeal(alg, keys, keyIdx, out.slab, out.offsets, 16, src.slab, src.offsets, src.lengths, nonces, 8, outLengths), 8);
    for (let i = 0; i < 8; i++) {
      const key = keys.subarray(keyIdx[i]! * 32, keyIdx[i]! * 32 + 32);
      const c = createCipheriv(name, key, nonces.subarray(i * 12, i * 12 + 12), { authTagLength: 16 } as never) as ReturnType<typeof createCipheriv> & { setAAD(b: Buffer): void; getAuthTag(): Buffer };
      c.setAAD(ad[i]!);
      const want = Buffer.concat([ad[i]!, c.update(plain[i]!), c.final(), c.getAuthTag()]);
      assert.equal(outLengths[i], want.length);
      assert.ok(out.slab.subarray(out.start(i), out.start(i) + want.length).equals(want), `packet ${i} sealed like node:crypto`);
      assert.ok(src.slab.subarray(src.start(i), src.start(i) + plain[i]!.length).equals(plain[i]!), 'plaintext kept');
    }
    out.slab[out.start(3) + 20]! ^= 1; // ciphertext
    out.slab[out.start(5) + 2]! ^= 1; // associated data
    const lens = Int32Array.from(outLengths);
    const skipOne = Int32Array.from(keyIdx);
    skipOne[6] = -1;
    assert.equal(addon().aeadOpen(alg, keys, skipOne, out.slab, out.offsets, lens, 16, nonces, 8), 5);
    for (let i = 0; i < 8; i++) {
      if (i === 3 || i === 5 || i === 6) assert.equal(lens[i], -1);
      else assert.ok(out.slab.subarray(out.start(i) + 16, out.start(i) + 16 + lens[i]!).equals(plain[i]!));
    }
  });
}
