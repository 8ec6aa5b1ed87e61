// UbusClient against a scripted fake ubusd (a unix socket in a temporary directory): the
// real ubusd cannot run in the tests, so each test plays ubusd's part frame by frame, with
// the message shapes of the recordings in test/fixtures/ubus/ (openwrt/ubus 3cc98db).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BlobmsgField } from '../../src/ubus/blobmsg.js';
import { UbusClient, type ClientOptions } from '../../src/ubus/client.js';
import { encodeMessage, MAX_MSGLEN, MsgType, type UbusAttrs, type UbusMessage } from '../../src/ubus/message.js';
import { encodeSignature } from '../../src/ubus/signature.js';
import { statusText, UbusError, UbusStatus } from '../../src/ubus/status.js';
import { blobmsgToTable, tableToBlobmsg, type UbusTable } from '../../src/ubus/value.js';
import { FakeUbusd, type FakeConn } from './ubus-fake-ubusd.js';

const CLIENT_ID = 0x9ecd37b4;

async function start(opts: ClientOptions = {}) {
  const fake = await FakeUbusd.start();
  const errors: Error[] = [];
  const accepted = fake.acceptHello(CLIENT_ID);
  const ubus = await UbusClient.connect(fake.path, { onError: (e) => errors.push(e), ...opts });
  const conn = await accepted;
  return {
    fake,
    conn,
    ubus,
    errors,
    async stop() {
      await ubus.close();
      await fake.close();
    },
  };
}

function answer(conn: FakeConn, req: UbusMessage, attrs: UbusAttrs, type: number = MsgType.STATUS): void {
  conn.send({ type, seq: req.seq, peer: req.peer, attrs });
}

// ubusd's side of a LOOKUP of one path.
async function serveLookup(conn: FakeConn, path: string, id: number): Promise<void> {
  const req = await conn.nextMessage();
  assert.deepEqual([req.type, req.attrs], [MsgType.LOOKUP, { objpath: path }]);
  answer(conn, req, { objpath: path, objid: id, objtype: 0x1234, signature: [] }, MsgType.DATA);
  answer(conn, req, { status: 0 });
}

function table(fields: BlobmsgField[] | undefined): UbusTable {
  return blobmsgToTable(fields ?? []);
}

test('connecting to a missing socket fails with UBUS_STATUS_CONNECTION_FAILED', async () => {
  await assert.rejects(UbusClient.connect('/nonexistent/ubus.sock'), (err: unknown) => {
    assert.ok(err instanceof UbusError);
    assert.equal(err.code, UbusStatus.CONNECTION_FAILED);
    assert.equal(err.name, 'UBUS_STATUS_CONNECTION_FAILED');
    return true;
  });
});

test('a server that never says HELLO fails the connect after the timeout', async () => {
  const fake = await FakeUbusd.start();
  const accepted = fake.accept();
  await assert.rejects(UbusClient.connect(fake.path, { timeoutMs: 50 }), { name: 'UBUS_STATUS_CONNECTION_FAILED', message: /no HELLO within 50 ms/ });
  await (await accepted).closed;
  await fake.close();
});

test('a call survives reads that end anywhere (every frame arrives one byte at a time)', async () => {
  const fake = await FakeUbusd.start();
  const accepted = fake.accept();
  const connecting = UbusClient.connect(fake.path);
  const conn = await accepted;
  await conn.trickle({ type: MsgType.HELLO, seq: 0, peer: CLIENT_ID, attrs: {} }, 1);
  const ubus = await connecting;
  assert.equal(ubus.clientId, CLIENT_ID);
  const call = ubus.call('network.interface.wan', 'status', { verbose: true });
  const lookup = await conn.nextMessage();
  await conn.trickle({ type: MsgType.DATA, seq: lookup.seq, peer: 0, attrs: { objpath: 'network.interface.wan', objid: 0xf1fb7c40, objtype: 7, signature: [] } }, 1);
  await conn.trickle({ type: MsgType.STATUS, seq: lookup.seq, peer: 0, attrs: { status: 0 } }, 1);
  const invoke = await conn.nextMessage();
  assert.deepEqual(invoke, {
    type: MsgType.INVOKE,
    seq: 2,
    peer: 0xf1fb7c40,
    attrs: { objid: 0xf1fb7c40, method: 'status', data: [{ name: 'verbose', type: 'int8', value: 1 }] },
  });
  const reply = { up: true, uptime: 12345, 'ipv4-address': [{ address: '192.168.1.1', mask: 24 }] };
  await conn.trickle({ type: MsgType.DATA, seq: 2, peer: 0xf1fb7c40, attrs: { objid: 0xf1fb7c40, data: tableToBlobmsg(reply) } }, 3);
  await conn.trickle({ type: MsgType.STATUS, seq: 2, peer: 0xf1fb7c40, attrs: { status: 0, objid: 0xf1fb7c40 } }, 1);
  assert.deepEqual(await call, reply);
  await ubus.close();
  await fake.close();
});

test('a reply of exactly 1 MiB is read; a request over 1 MiB is refused without sending it', async () => {
  const t = await start();
  const call = t.ubus.call('big', 'get');
  await serveLookup(t.conn, 'big', 77);
  const invoke = await t.conn.nextMessage();
  // Container 4 + OBJID 8 + DATA header 4 + field header 4 + name "s" 4 + string and NUL.
  const s = 'b'.repeat(MAX_MSGLEN - 24 - 1);
  const frame = encodeMessage({ type: MsgType.DATA, seq: invoke.seq, peer: 77, attrs: { objid: 77, data: [{ name: 's', type: 'string', value: s }] } });
  assert.equal(frame.length, 8 + MAX_MSGLEN);
  await t.conn.trickle(frame, 65536);
  answer(t.conn, invoke, { status: 0, objid: 77 });
  assert.equal((await call).s, s);

  await assert.rejects(t.ubus.call('big', 'put', { s }), (err: unknown) => err instanceof UbusError && err.code === UbusStatus.INVALID_ARGUMENT);
  await t.conn.quiet(50);
  assert.deepEqual(t.errors, []);
  await t.stop();
});

test('requests time out with UBUS_STATUS_TIMEOUT; a late reply is ignored', async () => {
  const t = await start();
  const started = Date.now();
  const call = t.ubus.call('slow', 'x', {}, { timeoutMs: 80 });
  const lookup = await t.conn.nextMessage();
  await assert.rejects(call, (err: unknown) => {
    assert.ok(err instanceof UbusError);
    assert.equal(err.code, UbusStatus.TIMEOUT);
    assert.equal(err.name, 'UBUS_STATUS_TIMEOUT');
    assert.equal(err.message, 'lookup slow: Request timed out');
    return true;
  });
  assert.ok(Date.now() - started >= 75);
  answer(t.conn, lookup, { objpath: 'slow', objid: 5, objtype: 1 }, MsgType.DATA);
  answer(t.conn, lookup, { status: 0 });
  // The next request still works and gets the next sequence number.
  const list = t.ubus.list('slow');
  const again = await t.conn.nextMessage();
  assert.equal(again.seq, lookup.seq + 1);
  answer(t.conn, again, { status: UbusStatus.NOT_FOUND });
  assert.deepEqual(await list, []);
  assert.deepEqual(t.errors, []);
  await t.stop();
});

test('every status code becomes a UbusError with ubus\'s name', async () => {
  const t = await start();
  const names = [
    '',
    'UBUS_STATUS_INVALID_COMMAND',
    'UBUS_STATUS_INVALID_ARGUMENT',
    'UBUS_STATUS_METHOD_NOT_FOUND',
    'UBUS_STATUS_NOT_FOUND',
    'UBUS_STATUS_NO_DATA',
    'UBUS_STATUS_PERMISSION_DENIED',
    'UBUS_STATUS_TIMEOUT',
    'UBUS_STATUS_NOT_SUPPORTED',
    'UBUS_STATUS_UNKNOWN_ERROR',
    'UBUS_STATUS_CONNECTION_FAILED',
    'UBUS_STATUS_NO_MEMORY',
    'UBUS_STATUS_PARSE_ERROR',
    'UBUS_STATUS_SYSTEM_ERROR',
  ];
  let first = true;
  for (const code of [...names.keys()].slice(1).concat([99])) {
    const call = t.ubus.call('obj', 'm');
    if (first) await serveLookup(t.conn, 'obj', 1000);
    first = false;
    const invoke = await t.conn.nextMessage();
    // The object's owner answers (with OBJID), as libubus does.
    answer(t.conn, invoke, { status: code, objid: 1000 });
    // NOT_FOUND with a cached id makes the client look the path up again; the same id
    // means the method itself said NOT_FOUND.
    if (code === UbusStatus.NOT_FOUND) await serveLookup(t.conn, 'obj', 1000);
    await assert.rejects(call, (err: unknown) => {
      assert.ok(err instanceof UbusError && err instanceof Error);
      assert.equal(err.code, code);
      assert.equal(err.name, names[code] ?? 'UBUS_STATUS_UNKNOWN_ERROR');
      assert.equal(err.message, `call obj m: ${statusText(code)}`);
      return true;
    });
  }
  assert.equal(statusText(99), 'Unknown error: 99');
  await t.stop();
});

test('a cached object id that went stale is looked up again and the call repeated once', async () => {
  const t = await start();
  const first = t.ubus.call('svc', 'get');
  await serveLookup(t.conn, 'svc', 10);
  const i1 = await t.conn.nextMessage();
  answer(t.conn, i1, { status: 0, objid: 10 });
  assert.deepEqual(await first, {});

  const second = t.ubus.call('svc', 'get');
  const i2 = await t.conn.nextMessage();
  assert.equal(i2.peer, 10);
  // ubusd's own answer for an unknown id: only STATUS.
  answer(t.conn, i2, { status: UbusStatus.NOT_FOUND });
  await serveLookup(t.conn, 'svc', 11);
  const i3 = await t.conn.nextMessage();
  assert.deepEqual([i3.peer, i3.attrs.objid], [11, 11]);
  answer(t.conn, i3, { objid: 11, data: tableToBlobmsg({ ok: 1 }) }, MsgType.DATA);
  answer(t.conn, i3, { status: 0, objid: 11 });
  assert.deepEqual(await second, { ok: 1 });
  await t.stop();
});

async function publish(t: Awaited<ReturnType<typeof start>>, id: number, onSubscribers?: (active: boolean) => void) {
  const calls: Array<[UbusTable, unknown]> = [];
  const adding = t.ubus.addObject(
    'bonding',
    {
      status: { handler: () => ({ state: 'connected' }) },
      set_link: {
        signature: { name: 'string', enabled: 'bool', weight: 'int64' },
        handler: (args, ctx) => {
          calls.push([args, ctx]);
          if (args.name === 'nope') throw new UbusError(UbusStatus.NOT_FOUND);
          if (args.name === 'boom') throw new Error('boom');
          if (args.name === 'slow') return sleep(60, { done: 'slow' });
          return args.name === 'quick' ? { done: 'quick' } : undefined;
        },
      },
    },
    { onSubscribers },
  );
  const add = await t.conn.nextMessage();
  assert.deepEqual(add, {
    type: MsgType.ADD_OBJECT,
    seq: add.seq,
    peer: 0,
    attrs: { objpath: 'bonding', signature: encodeSignature({ status: {}, set_link: { name: 'string', enabled: 'bool', weight: 'int64' } }) },
  });
  answer(t.conn, add, { objid: id, objtype: 0xb8f81fb7 }, MsgType.DATA);
  answer(t.conn, add, { status: 0 });
  return { obj: await adding, calls };
}

function invoke(conn: FakeConn, seq: number, objid: number, method: string, data: UbusTable | undefined, extra: UbusAttrs = {}): void {
  const attrs: UbusAttrs = { objid, method, user: 'root', group: 'root', ...extra };
  if (data) attrs.data = tableToBlobmsg(data);
  conn.send({ type: MsgType.INVOKE, seq, peer: 0x12cee3bf, attrs });
}

test('published objects: signatures checked, replies deferred, errors mapped to status codes', async () => {
  const t = await start();
  const { obj, calls } = await publish(t, 0xf1fb7c40);
  assert.equal(obj.id, 0xf1fb7c40);
  const O = 0xf1fb7c40;
  const P = 0x12cee3bf;

  // Slow first, quick second: each answer carries its own seq, in completion order.
  invoke(t.conn, 7, O, 'set_link', { name: 'slow' });
  invoke(t.conn, 8, O, 'set_link', { name: 'quick', ubus_rpc_session: 'abc', weight: 5 });
  assert.deepEqual(await t.conn.nextMessage(), { type: MsgType.DATA, seq: 8, peer: P, attrs: { objid: O, data: tableToBlobmsg({ done: 'quick' }) } });
  assert.deepEqual(await t.conn.nextMessage(), { type: MsgType.STATUS, seq: 8, peer: P, attrs: { status: 0, objid: O } });
  assert.deepEqual(await t.conn.nextMessage(), { type: MsgType.DATA, seq: 7, peer: P, attrs: { objid: O, data: tableToBlobmsg({ done: 'slow' }) } });
  assert.deepEqual(await t.conn.nextMessage(), { type: MsgType.STATUS, seq: 7, peer: P, attrs: { status: 0, objid: O } });
  assert.deepEqual(calls[1], [
    { name: 'quick', ubus_rpc_session: 'abc', weight: 5 },
    { object: 'bonding', method: 'set_link', peer: P, user: 'root', group: 'root' },
  ]);

  const status = async (seq: number) => {
    const m = await t.conn.nextMessage();
    assert.deepEqual([m.type, m.seq, m.peer, m.attrs.objid], [MsgType.STATUS, seq, P, O]);
    return m.attrs.status;
  };
  invoke(t.conn, 9, O, 'set_link', { name: 'x' });
  assert.equal(await status(9), 0);
  invoke(t.conn, 10, O, 'set_link', { name: 1 });
  assert.equal(await status(10), UbusStatus.INVALID_ARGUMENT);
  invoke(t.conn, 11, O, 'set_link', { enabled: 1 });
  assert.equal(await status(11), UbusStatus.INVALID_ARGUMENT);
  invoke(t.conn, 12, O, 'set_link', undefined);
  assert.equal(await status(12), UbusStatus.INVALID_ARGUMENT);
  invoke(t.conn, 13, O, 'set_link', { name: 'nope' });
  assert.equal(await status(13), UbusStatus.NOT_FOUND);
  invoke(t.conn, 14, O, 'set_link', { name: 'boom' });
  assert.equal(await status(14), UbusStatus.UNKNOWN_ERROR);
  invoke(t.conn, 15, O, 'restart', {});
  assert.equal(await status(15), UbusStatus.METHOD_NOT_FOUND);
  invoke(t.conn, 16, O, 'set_link', { name: 'quick' }, { noReply: true });
  invoke(t.conn, 17, O, 'status', {});
  const data = await t.conn.nextMessage();
  assert.deepEqual([data.seq, table(data.attrs.data)], [17, { state: 'connected' }]);
  assert.equal(await status(17), 0);
  assert.equal(calls.length, 6);
  assert.deepEqual(
    t.errors.map((e) => e.message),
    ['boom'],
  );

  // An unknown object id: NOT_FOUND with OBJID 0, as libubus answers.
  invoke(t.conn, 18, 12345, 'status', {});
  assert.deepEqual(await t.conn.nextMessage(), { type: MsgType.STATUS, seq: 18, peer: P, attrs: { status: UbusStatus.NOT_FOUND, objid: 0 } });

  const removing = obj.remove();
  const rm = await t.conn.nextMessage();
  assert.deepEqual([rm.type, rm.attrs], [MsgType.REMOVE_OBJECT, { objid: O }]);
  answer(t.conn, rm, { objid: O, objtype: 0xb8f81fb7 }, MsgType.DATA);
  answer(t.conn, rm, { status: 0 });
  await removing;
  assert.equal(obj.id, 0);
  await t.stop();
});

test('publisher side: ubusd tells when subscribers come and go; notify() sends NOTIFY without waiting', async () => {
  const t = await start();
  const told: boolean[] = [];
  const { obj } = await publish(t, 0x3f6f6865, (active) => told.push(active));
  assert.equal(obj.hasSubscribers, false);
  t.conn.send({ type: MsgType.NOTIFY, seq: 1, peer: 0, attrs: { objid: 0x3f6f6865, active: true } });
  obj.notify('link', { name: 'lte1', state: 'up' });
  const n = await t.conn.nextMessage();
  assert.deepEqual(n, {
    type: MsgType.NOTIFY,
    seq: 2,
    peer: 0x3f6f6865,
    attrs: { objid: 0x3f6f6865, method: 'link', data: tableToBlobmsg({ name: 'lte1', state: 'up' }), noReply: true },
  });
  assert.equal(obj.hasSubscribers, true);
  t.conn.send({ type: MsgType.NOTIFY, seq: 2, peer: 0, attrs: { objid: 0x3f6f6865, active: false } });
  await t.conn.quiet(30);
  assert.deepEqual(told, [true, false]);
  await t.stop();
});

test('events: register with the id as INT32 (even above 2^31), deliveries reach the callback', async () => {
  const t = await start();
  const got: Array<[string, UbusTable]> = [];
  const listening = t.ubus.onEvent('network.interface*', (type, data) => got.push([type, data]));
  const add = await t.conn.nextMessage();
  assert.deepEqual(add.attrs, {});
  answer(t.conn, add, { objid: 0xbb2c9dae }, MsgType.DATA);
  answer(t.conn, add, { status: 0 });
  const reg = await t.conn.nextMessage();
  assert.deepEqual([reg.type, reg.peer, reg.attrs.objid, reg.attrs.method], [MsgType.INVOKE, 1, 1, 'register']);
  assert.deepEqual(reg.attrs.data, [
    { name: 'object', type: 'int32', value: 0xbb2c9dae | 0 },
    { name: 'pattern', type: 'string', value: 'network.interface*' },
  ]);
  // The id's four bytes under an INT32 tag (0x85), as the recorded `ubus listen` sends them.
  assert.ok(encodeMessage(reg).toString('hex').includes('8500001400066f626a65637400000000bb2c9dae'));
  answer(t.conn, reg, { status: 0 });
  const listener = await listening;
  assert.equal(listener.id, 0xbb2c9dae);
  t.conn.send({ type: MsgType.INVOKE, seq: 41, peer: 0, attrs: { objid: 0xbb2c9dae, method: 'network.interface', data: tableToBlobmsg({ action: 'ifup', interface: 'wan' }) } });
  assert.deepEqual(await t.conn.nextMessage(), { type: MsgType.STATUS, seq: 41, peer: 0, attrs: { status: 0, objid: 0xbb2c9dae } });
  assert.deepEqual(got, [['network.interface', { action: 'ifup', interface: 'wan' }]]);

  const sending = t.ubus.sendEvent('bonding.link', { name: 'lte1' });
  const send = await t.conn.nextMessage();
  assert.deepEqual(send.attrs, {
    objid: 1,
    method: 'send',
    data: [
      { name: 'id', type: 'string', value: 'bonding.link' },
      { name: 'data', type: 'table', value: tableToBlobmsg({ name: 'lte1' }) },
    ],
  });
  answer(t.conn, send, { status: 0 });
  await sending;
  const reserved = t.ubus.sendEvent('ubus.object.add');
  answer(t.conn, await t.conn.nextMessage(), { status: UbusStatus.PERMISSION_DENIED });
  await assert.rejects(reserved, { name: 'UBUS_STATUS_PERMISSION_DENIED' });
  await t.stop();
});

// ubusd's side of `subscribe(path)`: ADD_OBJECT, LOOKUP, SUBSCRIBE.
async function serveSubscribe(conn: FakeConn, subscriber: number, path: string, target: number): Promise<void> {
  const add = await conn.nextMessage();
  assert.deepEqual([add.type, add.attrs], [MsgType.ADD_OBJECT, {}]);
  answer(conn, add, { objid: subscriber }, MsgType.DATA);
  answer(conn, add, { status: 0 });
  await serveLookup(conn, path, target);
  const sub = await conn.nextMessage();
  assert.deepEqual([sub.type, sub.attrs], [MsgType.SUBSCRIBE, { objid: subscriber, target }]);
  answer(conn, sub, { status: 0 });
}

test('subscriptions: notifications answered unless NO_REPLY; a target that goes away is subscribed again when it returns', async () => {
  const t = await start();
  const got: Array<[string, UbusTable]> = [];
  const subscribing = t.ubus.subscribe('network.interface', (type, data) => {
    got.push([type, data]);
    if (type === 'refuse') throw new UbusError(UbusStatus.NOT_SUPPORTED);
  });
  await serveSubscribe(t.conn, 500, 'network.interface', 600);
  await subscribing;

  const S = 500;
  t.conn.send({ type: MsgType.INVOKE, seq: 3, peer: 0x777, attrs: { objid: S, method: 'update', data: tableToBlobmsg({ n: 1 }), noReply: true } });
  t.conn.send({ type: MsgType.INVOKE, seq: 4, peer: 0x777, attrs: { objid: S, method: 'refuse', data: tableToBlobmsg({}) } });
  assert.deepEqual(await t.conn.nextMessage(), { type: MsgType.STATUS, seq: 4, peer: 0x777, attrs: { status: UbusStatus.NOT_SUPPORTED, objid: S } });
  assert.deepEqual(got, [
    ['update', { n: 1 }],
    ['refuse', {}],
  ]);

  // netifd restarts: ubusd drops the subscription...
  t.conn.send({ type: MsgType.UNSUBSCRIBE, seq: 1, peer: 0, attrs: { objid: S, target: 600 } });
  const add = await t.conn.nextMessage();
  assert.deepEqual([add.type, add.attrs], [MsgType.ADD_OBJECT, {}]);
  answer(t.conn, add, { objid: 501 }, MsgType.DATA);
  answer(t.conn, add, { status: 0 });
  const reg = await t.conn.nextMessage();
  assert.deepEqual(table(reg.attrs.data), { object: 501, pattern: 'ubus.object.add' });
  answer(t.conn, reg, { status: 0 });
  // ...the client looks once in case it came back meanwhile (not yet)...
  const look = await t.conn.nextMessage();
  assert.deepEqual([look.type, look.attrs], [MsgType.LOOKUP, { objpath: 'network.interface' }]);
  answer(t.conn, look, { status: UbusStatus.NOT_FOUND });
  await t.conn.quiet(30);
  // ...and subscribes as soon as ubusd announces the new object.
  t.conn.send({ type: MsgType.INVOKE, seq: 9, peer: 0, attrs: { objid: 501, method: 'ubus.object.add', data: tableToBlobmsg({ id: 0x8a0a0a0a | 0, path: 'network.interface' }) } });
  const two = [await t.conn.nextMessage(), await t.conn.nextMessage()];
  const again = two.find((m) => m.type === MsgType.SUBSCRIBE)!;
  assert.deepEqual(again.attrs, { objid: S, target: 0x8a0a0a0a });
  assert.deepEqual(two.find((m) => m.type === MsgType.STATUS)!.attrs, { status: 0, objid: 501 });
  answer(t.conn, again, { status: 0 });
  await t.conn.quiet(30);
  assert.deepEqual(t.errors, []);
  await t.stop();
});

test('subscribe to a missing object: NOT_FOUND, or with waitForTargets subscribed when ubusd announces it', async () => {
  const t = await start();
  const addSubscriber = async (id: number) => {
    const add = await t.conn.nextMessage();
    assert.deepEqual([add.type, add.attrs], [MsgType.ADD_OBJECT, {}]);
    answer(t.conn, add, { objid: id }, MsgType.DATA);
    answer(t.conn, add, { status: 0 });
  };
  const lookupFails = async () => {
    const look = await t.conn.nextMessage();
    assert.deepEqual([look.type, look.attrs], [MsgType.LOOKUP, { objpath: 'network.interface' }]);
    answer(t.conn, look, { status: UbusStatus.NOT_FOUND });
  };

  // Without the option the subscriber object is removed again and the caller told.
  const failing = t.ubus.subscribe('network.interface', () => undefined);
  await addSubscriber(500);
  await lookupFails();
  const remove = await t.conn.nextMessage();
  assert.deepEqual([remove.type, remove.attrs], [MsgType.REMOVE_OBJECT, { objid: 500 }]);
  answer(t.conn, remove, { status: 0 });
  await assert.rejects(failing, { name: 'UBUS_STATUS_NOT_FOUND' });

  // With it, subscribe() returns and the client listens for ubus.object.add...
  const got: string[] = [];
  const waiting = t.ubus.subscribe('network.interface', (type) => void got.push(type), { waitForTargets: true });
  await addSubscriber(502);
  await lookupFails();
  const reg = await waiting;
  assert.equal(reg.id, 502);
  await addSubscriber(503);
  const listen = await t.conn.nextMessage();
  assert.deepEqual(table(listen.attrs.data), { object: 503, pattern: 'ubus.object.add' });
  answer(t.conn, listen, { status: 0 });
  // ...looks once more, as the object may have appeared before it listened (not yet)...
  await lookupFails();
  await t.conn.quiet(30);
  // ...and subscribes when the object appears.
  t.conn.send({ type: MsgType.INVOKE, seq: 9, peer: 0, attrs: { objid: 503, method: 'ubus.object.add', data: tableToBlobmsg({ id: 700, path: 'network.interface' }) } });
  const two = [await t.conn.nextMessage(), await t.conn.nextMessage()];
  const sub = two.find((m) => m.type === MsgType.SUBSCRIBE)!;
  assert.deepEqual(sub.attrs, { objid: 502, target: 700 });
  answer(t.conn, sub, { status: 0 });
  t.conn.send({ type: MsgType.INVOKE, seq: 10, peer: 0x777, attrs: { objid: 502, method: 'interface.update', data: tableToBlobmsg({}), noReply: true } });
  await t.conn.quiet(30);
  assert.deepEqual(got, ['interface.update']);
  assert.deepEqual(t.errors, []);
  await t.stop();
});

test('reconnect: pending requests fail, objects, listeners and subscriptions come back, waiting calls go out after', async () => {
  const t = await start({ reconnectDelayMs: 20 });
  const { obj } = await publish(t, 100);
  const events: string[] = [];
  const listening = t.ubus.onEvent('network.interface', (type) => events.push(type));
  const add = await t.conn.nextMessage();
  answer(t.conn, add, { objid: 200 }, MsgType.DATA);
  answer(t.conn, add, { status: 0 });
  answer(t.conn, await t.conn.nextMessage(), { status: 0 });
  await listening;
  const subscribing = t.ubus.subscribe('network.interface', () => undefined);
  await serveSubscribe(t.conn, 300, 'network.interface', 400);
  await subscribing;

  // A request in flight when ubusd goes away fails; one made during the outage waits.
  const inFlight = t.ubus.call('system', 'board');
  await t.conn.nextMessage();
  t.conn.end();
  await assert.rejects(inFlight, { name: 'UBUS_STATUS_CONNECTION_FAILED' });
  assert.equal(obj.id, 0);
  const waiting = t.ubus.call('system', 'board');

  const c2 = await t.fake.acceptHello(0x56ec2408);
  const o = await c2.nextMessage();
  assert.deepEqual([o.type, o.seq, o.attrs.objpath, o.attrs.signature?.length], [MsgType.ADD_OBJECT, 1, 'bonding', 2]);
  answer(c2, o, { objid: 101, objtype: 5 }, MsgType.DATA);
  answer(c2, o, { status: 0 });
  const l = await c2.nextMessage();
  assert.deepEqual([l.type, l.attrs], [MsgType.ADD_OBJECT, {}]);
  answer(c2, l, { objid: 201 }, MsgType.DATA);
  answer(c2, l, { status: 0 });
  const r = await c2.nextMessage();
  assert.deepEqual(table(r.attrs.data), { object: 201, pattern: 'network.interface' });
  answer(c2, r, { status: 0 });
  await serveSubscribe(c2, 301, 'network.interface', 401);
  // Only now the call made during the outage.
  await serveLookup(c2, 'system', 900);
  const inv = await c2.nextMessage();
  answer(c2, inv, { objid: 900, data: tableToBlobmsg({ model: 'x86' }) }, MsgType.DATA);
  answer(c2, inv, { status: 0, objid: 900 });
  assert.deepEqual(await waiting, { model: 'x86' });
  assert.equal(t.ubus.clientId, 0x56ec2408);
  assert.equal(obj.id, 101);

  // The restored object and listener answer under their new ids.
  invoke(c2, 3, 101, 'status', {});
  assert.equal((await c2.nextMessage()).type, MsgType.DATA);
  assert.deepEqual((await c2.nextMessage()).attrs, { status: 0, objid: 101 });
  c2.send({ type: MsgType.INVOKE, seq: 5, peer: 0, attrs: { objid: 201, method: 'network.interface', data: [] } });
  assert.deepEqual((await c2.nextMessage()).attrs, { status: 0, objid: 201 });
  assert.deepEqual(events, ['network.interface']);
  assert.deepEqual(t.errors, []);
  await t.stop();
});

test('reconnect keeps trying while ubusd is away; close() fails what still waits', async () => {
  const t = await start({ reconnectDelayMs: 10 });
  t.conn.end();
  await t.fake.close();
  // Let the client see the close; a request sent before that fails (as in the test above).
  await sleep(30);
  const waiting = t.ubus.call('system', 'board', {}, { timeoutMs: 5000 });
  await sleep(60);
  await t.ubus.close();
  await assert.rejects(waiting, { name: 'UBUS_STATUS_CONNECTION_FAILED' });
  await assert.rejects(t.ubus.list(), { name: 'UBUS_STATUS_CONNECTION_FAILED' });
});

test('a frame over 1 MiB from ubusd is a protocol error: the client drops the connection and reconnects', async () => {
  const t = await start({ reconnectDelayMs: 10 });
  const head = Buffer.alloc(12);
  head.writeUInt8(MsgType.DATA, 1);
  head.writeUInt32BE(MAX_MSGLEN + 4, 8);
  t.conn.send(head);
  await t.conn.closed;
  await t.fake.acceptHello(0x1234);
  assert.match(t.errors[0]!.message, /protocol error/);
  await t.stop();
});
