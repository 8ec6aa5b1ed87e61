// ubus message header/attributes and stream framing, checked against every frame of the
// recordings in test/fixtures/ubus/ (made with the real ubusd, ubus CLI and example server of
// openwrt/ubus 3cc98db; ubusd cannot run in the tests, so the recordings stand in for it).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameReader } from '../../src/ubus/framing.js';
import { decodeMessage, encodeMessage, MAX_MSGLEN, MsgType, type UbusAttrs } from '../../src/ubus/message.js';
import { blobmsgToTable } from '../../src/ubus/value.js';
import { frames, readFixture, SESSIONS, type RecordedFrame, type Session } from './ubus-fixtures.js';

const ATTR_KEYS: Record<string, keyof UbusAttrs> = {
  UBUS_ATTR_STATUS: 'status',
  UBUS_ATTR_OBJPATH: 'objpath',
  UBUS_ATTR_OBJID: 'objid',
  UBUS_ATTR_METHOD: 'method',
  UBUS_ATTR_OBJTYPE: 'objtype',
  UBUS_ATTR_SIGNATURE: 'signature',
  UBUS_ATTR_DATA: 'data',
  UBUS_ATTR_TARGET: 'target',
  UBUS_ATTR_ACTIVE: 'active',
  UBUS_ATTR_NO_REPLY: 'noReply',
  UBUS_ATTR_SUBSCRIBERS: 'subscribers',
  UBUS_ATTR_USER: 'user',
  UBUS_ATTR_GROUP: 'group',
};

// The recordings' JSON was parsed with JSON.parse, which turns big integers into doubles.
function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

function checkFrame(f: RecordedFrame): void {
  const where = `frame #${f.index} (${f.decoded.header.type_name}, ${f.direction})`;
  const msg = decodeMessage(Buffer.from(f.hex, 'hex'));
  const h = f.decoded.header;
  assert.deepEqual([msg.type, msg.seq, msg.peer], [h.type, h.seq, h.peer], where);
  assert.deepEqual(Object.keys(msg.attrs), f.decoded.attrs.map((a) => ATTR_KEYS[a.attr]), where);
  for (const a of f.decoded.attrs) {
    const got = msg.attrs[ATTR_KEYS[a.attr]!];
    if (a.kind === 'blobmsg') assert.deepEqual(plain(blobmsgToTable(got as never)), a.json, `${where} ${a.attr}`);
    else if (a.kind === 'int8') assert.equal(got, a.value !== 0, `${where} ${a.attr}`);
    else assert.equal(got, a.value, `${where} ${a.attr}`);
  }
  assert.equal(encodeMessage(msg).toString('hex'), f.hex, `${where} re-encoded`);
}

for (const name of SESSIONS) {
  const session = readFixture<Session>(name);
  test(`${name}: every recorded frame decodes like the recording says and re-encodes to the same bytes`, () => {
    const all = frames(session);
    assert.ok(all.length > 0);
    for (const f of all) checkFrame(f);
  });

  test(`${name}: the frames of each direction come out of a byte stream cut anywhere`, () => {
    for (const { conn } of session.connections) {
      for (const dir of ['client->ubusd', 'ubusd->client']) {
        const wanted = frames(session).filter((f) => f.conn === conn && f.direction === dir).map((f) => f.hex);
        const stream = Buffer.from(wanted.join(''), 'hex');
        for (const size of [1, 3, 7, 64, stream.length]) {
          const reader = new FrameReader();
          const got: string[] = [];
          for (let at = 0; at < stream.length; at += size) {
            for (const fr of reader.push(stream.subarray(at, at + size))) got.push(fr.toString('hex'));
          }
          assert.deepEqual(got, wanted, `conn ${conn} ${dir}, reads of ${size}`);
        }
      }
    }
  });
}

test('messages up to 1 MiB (padded container) pass, larger ones are refused both ways', () => {
  // DATA { "s": string } with a container of exactly MAX_MSGLEN bytes: container header 4,
  // DATA header 4, string field header 4 + name 4, and the string with its NUL.
  const s = 'x'.repeat(MAX_MSGLEN - 16 - 1);
  const msg = { type: MsgType.DATA, seq: 1, peer: 7, attrs: { data: [{ name: 's', type: 'string' as const, value: s }] } };
  const frame = encodeMessage(msg);
  assert.equal(frame.length, 8 + MAX_MSGLEN);
  const reader = new FrameReader();
  const out: Buffer[] = [];
  for (let at = 0; at < frame.length; at += 65536) out.push(...reader.push(frame.subarray(at, at + 65536)));
  assert.equal(out.length, 1);
  assert.equal(blobmsgToTable(decodeMessage(out[0]!).attrs.data!).s, s);

  assert.throws(() => encodeMessage({ ...msg, attrs: { data: [{ name: 's', type: 'string', value: `${s}y` }] } }), RangeError);
  const big = Buffer.alloc(12);
  big.writeUInt32BE(MAX_MSGLEN + 1, 8);
  assert.throws(() => new FrameReader().push(big), RangeError);
});

test('a 1 MiB message delivered one byte at a time is reassembled', () => {
  const frame = encodeMessage({ type: MsgType.DATA, seq: 9, peer: 1, attrs: { objpath: 'p'.repeat(MAX_MSGLEN - 12) } });
  const reader = new FrameReader();
  let got: Buffer[] = [];
  for (let at = 0; at < frame.length; at++) got = got.concat(reader.push(frame.subarray(at, at + 1)));
  assert.equal(got.length, 1);
  assert.ok(got[0]!.equals(frame));
});

test('headers that libubus refuses stop the stream', () => {
  assert.throws(() => new FrameReader().push(Buffer.from('01000000000000000000000400', 'hex')), /version 1/);
  assert.throws(() => new FrameReader().push(Buffer.from('000000000000000000000003', 'hex')), /container of 3 bytes/);
});

test('attributes that do not fit their policy read as absent, as in libubus', () => {
  // OBJID with 3 bytes, METHOD without NUL, an unknown attribute 14, then a good STATUS.
  const body = Buffer.from('0300000701020300' + '0400000661620000' + '0e00000800000001' + '0100000800000002', 'hex');
  const head = Buffer.alloc(12);
  head.writeUInt8(MsgType.STATUS, 1);
  head.writeUInt32BE(4 + body.length, 8);
  assert.deepEqual(decodeMessage(Buffer.concat([head, body])).attrs, { status: 2 });
});

test('SUBSCRIBERS (ubusd\'s answer to a NOTIFY that wants replies) is a list of u32', () => {
  const msg = { type: MsgType.STATUS, seq: 3, peer: 0xf1fb7c40, attrs: { objid: 0xf1fb7c40, subscribers: [0x80000001, 5], status: 0 } };
  const frame = encodeMessage(msg);
  assert.equal(frame.toString('hex'), '00010003f1fb7c40000000280300000' + '8f1fb7c400b00001400000008800000010000000800000005' + '0100000800000000');
  assert.deepEqual(decodeMessage(frame), msg);
});
