// Control frames: what one side writes, the other reads back; malformed packets are refused
// with a reason, unknown frame types are skipped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ControlWriter, readControl, F_ACK, type AckEntry, type ControlHandler, type LinkAnnouncement } from '../../src/wire/control.js';

function collector() {
  const got: unknown[] = [];
  const h: ControlHandler = {
    ack: (e) => got.push(['ack', { ...e }]),
    ping: (l, id) => got.push(['ping', l, id]),
    pong: (l, id) => got.push(['pong', l, id]),
    skip: (lane, seq) => got.push(['skip', lane, seq]),
    links: (l) => got.push(['links', l]),
    close: () => got.push(['close']),
    rate: (l, kbps, loss) => got.push(['rate', l, kbps, loss]),
  };
  return { got, h };
}

test('every frame type round-trips', () => {
  const buf = Buffer.alloc(2048);
  const w = new ControlWriter(buf).begin(100, 2000);
  assert.ok(w.empty);
  const acks: AckEntry[] = [
    { link: 0, highest: 0xfffffffe, maskHi: 0x80000001, maskLo: 0xffffffff, delayUs: 1230, queueUs: 4560 },
    { link: 7, highest: 5, maskHi: 0, maskLo: 1, delayUs: 0, queueUs: 0 },
  ];
  w.ack(acks);
  w.ping(2, 1, 0xabcdef01);
  w.ping(3, 4, 9);
  w.skip([3, 63], [0xffffffff, 17], 2);
  const links: LinkAnnouncement[] = [{ id: 1, name: 'lte1', role: 'primary', enabled: true, maxDownMbps: 20 }];
  w.links(links);
  w.rates([0, 1], [50_000, 1234.4], [0.5, 12.34], 2);
  w.close();
  const { got, h } = collector();
  assert.equal(readControl(buf, 100, w.length, h), null);
  assert.deepEqual(got, [
    ['ack', acks[0]], ['ack', acks[1]], ['ping', 1, 0xabcdef01], ['pong', 4, 9],
    ['skip', 3, 0xffffffff], ['skip', 63, 17], ['links', links], ['rate', 0, 50_000, 0.5], ['rate', 1, 1234, 12.34], ['close'],
  ]);
});

test('a writer refuses a frame that does not fit', () => {
  const w = new ControlWriter(Buffer.alloc(64)).begin(0, 20);
  w.ping(2, 0, 1);
  assert.throws(() => w.skip([1, 2, 3], [1, 2, 3], 3), /full/);
});

test('malformed control packets are refused with a reason', () => {
  const { h } = collector();
  const b = Buffer.alloc(64);
  b[0] = F_ACK;
  b.writeUInt16BE(10, 1); // not a multiple of an ACK entry
  assert.match(readControl(b, 0, 13, h)!, /bad ACK length/);
  b.writeUInt16BE(200, 1);
  assert.match(readControl(b, 0, 64, h)!, /longer than the packet/);
  assert.match(readControl(b, 0, 2, h)!, /truncated/);
  const w = new ControlWriter(Buffer.alloc(256)).begin(0, 256);
  w.links([{ id: 999, name: 'x', role: 'primary', enabled: true }]);
  assert.match(readControl(w.buf, 0, w.length, h)!, /wrong shape/);
  const j = Buffer.from([5, 0, 3, 0x7b, 0x7b, 0x7b]); // LINKS "{{{"
  assert.match(readControl(j, 0, j.length, h)!, /not JSON/);
});

test('frames of unknown types are skipped', () => {
  const { got, h } = collector();
  const b = Buffer.alloc(32);
  b[0] = 200;
  b.writeUInt16BE(4, 1);
  const w = new ControlWriter(b).begin(7, 32);
  w.close();
  assert.equal(readControl(b, 0, w.length, h), null);
  assert.deepEqual(got, [['close']]);
});
