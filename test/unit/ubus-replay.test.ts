// Replays the recorded ubus sessions in test/fixtures/ubus/ against UbusClient. The real
// ubusd cannot run in the tests, so a fake one (a unix socket in a temporary directory)
// plays the frames ubusd sent on one recorded connection and requires that the client,
// driven through its API to do what the recorded program did, sends exactly the recorded
// bytes in between. Ids that ubusd drew at random come to the client in the replayed
// frames (HELLO, ADD_OBJECT and LOOKUP replies), so the client's frames match without any
// substitution.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseJsonTable } from '../../src/ubus/blobmsg-json.js';
import { UbusClient, type ObjectInfo } from '../../src/ubus/client.js';
import { decodeMessage, MsgType } from '../../src/ubus/message.js';
import { UbusError, UbusStatus } from '../../src/ubus/status.js';
import type { UbusTable } from '../../src/ubus/value.js';
import { FakeUbusd } from './ubus-fake-ubusd.js';
import { readFixture, type Session } from './ubus-fixtures.js';

interface ReplayOptions {
  // Frames the client is expected to send after the recording ends, and their check.
  extra?: { count: number; check(frames: Buffer[]): void };
}

async function replay(file: string, label: string, drive: (ubus: UbusClient) => Promise<void>, opts: ReplayOptions = {}): Promise<void> {
  const session = readFixture<Session>(file);
  const conn = session.connections.find((c) => c.label === label)!.conn;
  const script = session.events.filter((e) => e.conn === conn);
  const fake = await FakeUbusd.start();
  const errors: Error[] = [];
  let ubus: UbusClient | undefined;
  try {
    const server = (async () => {
      const c = await fake.accept();
      for (const e of script) {
        // Whatever ubusd sent after the program closed its end never reached it.
        if (e.event === 'eof' && e.direction === 'client->ubusd') break;
        if (e.event !== 'frame') continue;
        if (e.direction === 'ubusd->client') {
          c.send(Buffer.from(e.hex, 'hex'));
          continue;
        }
        const got = await c.next();
        const what = `${file} ${label} frame #${e.index} ${e.decoded.header.type_name} seq ${e.decoded.header.seq}`;
        assert.equal(got.toString('hex'), e.hex, what);
      }
      const extra: Buffer[] = [];
      for (let i = 0; i < (opts.extra?.count ?? 0); i++) extra.push(await c.next());
      opts.extra?.check(extra);
      await c.quiet(30);
    })();
    await Promise.all([
      server,
      (async () => {
        ubus = await UbusClient.connect(fake.path, { onError: (e) => errors.push(e) });
        await drive(ubus);
      })(),
    ]);
    assert.deepEqual(errors, []);
  } finally {
    await ubus?.close();
    await fake.close();
  }
}

// What examples/server.c does at start: publish `test`, then create its subscriber object.
async function exampleServer(ubus: UbusClient, onSubscribers?: (active: boolean) => void): Promise<void> {
  await ubus.addObject(
    'test',
    {
      hello: {
        signature: { id: 'int32', msg: 'string' },
        // The example answers after a timer (1 s there), i.e. a deferred reply.
        handler: async (args) => {
          await sleep(20);
          return { message: `test received a message: ${typeof args.msg === 'string' ? args.msg : '(unknown)'}` };
        },
      },
      watch: {
        signature: { id: 'int32', counter: 'int32' },
        handler: (args) => {
          if (args.id === undefined) throw new UbusError(UbusStatus.INVALID_ARGUMENT);
        },
      },
      count: { signature: { to: 'int32', string: 'string' }, handler: () => ({ rc: 0 }) },
    },
    { onSubscribers },
  );
  await ubus.subscribe([], () => undefined);
}

function testObject(id: number, typeId: number): ObjectInfo {
  return {
    path: 'test',
    id,
    typeId,
    signature: { hello: { id: 'int32', msg: 'string' }, watch: { id: 'int32', counter: 'int32' }, count: { to: 'int32', string: 'string' } },
  };
}

function collect(n: number): { cb: (type: string, data: UbusTable) => void; done: Promise<Array<[string, UbusTable]>> } {
  const got: Array<[string, UbusTable]> = [];
  let finish!: (v: Array<[string, UbusTable]>) => void;
  const done = new Promise<Array<[string, UbusTable]>>((r) => (finish = r));
  return {
    cb: (type, data) => {
      got.push([type, data]);
      if (got.length === n) finish(got);
    },
    done,
  };
}

async function rejectsWith(p: Promise<unknown>, code: number): Promise<void> {
  await assert.rejects(p, (err: unknown) => err instanceof UbusError && err.code === code);
}

for (const file of ['a_list.json', 'a2_list_path.json', 'b_list_verbose.json', 'c_call_hello.json', 'c2_call_count.json', 'd_call_errors.json', 'f_wait_for.json']) {
  test(`${file}: the example server's connection`, () => replay(file, 'server', (ubus) => exampleServer(ubus)));
}

test('a_list.json: `ubus list`', () =>
  replay('a_list.json', 'cli_list', async (ubus) => {
    assert.deepEqual(await ubus.list(), [testObject(2007844835, 3295318041)]);
  }));

test('a2_list_path.json: `ubus list test`', () =>
  replay('a2_list_path.json', 'cli_list_test', async (ubus) => {
    assert.deepEqual(await ubus.list('test'), [testObject(2909514482, 2105449220)]);
  }));

test('a2_list_path.json: `ubus list nothere` (NOT_FOUND is an empty list)', () =>
  replay('a2_list_path.json', 'cli_list_nothere', async (ubus) => {
    assert.deepEqual(await ubus.list('nothere'), []);
  }));

test('b_list_verbose.json: `ubus -v list`', () =>
  replay('b_list_verbose.json', 'cli_list_v', async (ubus) => {
    assert.deepEqual(await ubus.list(), [testObject(4106136724, 3094353933)]);
  }));

test('c_call_hello.json: `ubus call test hello {"id":1,"msg":"hi"}` with a deferred reply', () =>
  replay('c_call_hello.json', 'cli_call', async (ubus) => {
    assert.deepEqual(await ubus.call('test', 'hello', { id: 1, msg: 'hi' }), { message: 'test received a message: hi' });
  }));

test('c2_call_count.json: `ubus call test count`', () =>
  replay('c2_call_count.json', 'cli_count', async (ubus) => {
    assert.deepEqual(await ubus.call('test', 'count', { to: 3, string: '0 1 2 ' }), { rc: 0 });
  }));

test('c2_call_count.json: `ubus call test hello` without a message', () =>
  replay('c2_call_count.json', 'cli_hello_noargs', async (ubus) => {
    assert.deepEqual(await ubus.call('test', 'hello'), { message: 'test received a message: (unknown)' });
  }));

test('d_call_errors.json: call on a missing object', () =>
  replay('d_call_errors.json', 'cli_noobj', (ubus) => rejectsWith(ubus.call('nonexistent', 'foo', {}), UbusStatus.NOT_FOUND)));

test('d_call_errors.json: unknown method', () =>
  replay('d_call_errors.json', 'cli_badmethod', (ubus) => rejectsWith(ubus.call('test', 'nosuchmethod', { x: 1 }), UbusStatus.METHOD_NOT_FOUND)));

test('d_call_errors.json: invalid arguments', () =>
  replay('d_call_errors.json', 'cli_badargs', (ubus) => rejectsWith(ubus.call('test', 'watch', {}), UbusStatus.INVALID_ARGUMENT)));

test('d_call_errors.json: unparsable JSON sends nothing', () =>
  replay('d_call_errors.json', 'cli_badjson', async () => {
    assert.throws(() => parseJsonTable('{not json'), SyntaxError);
  }));

test('e_send_listen.json: `ubus listen myevent alltypes` receives both events and answers them', () =>
  replay('e_send_listen.json', 'listener', async (ubus) => {
    const events = collect(2);
    await ubus.onEvent(['myevent', 'alltypes'], events.cb);
    const [myevent, alltypes] = await events.done;
    assert.deepEqual(myevent, ['myevent', { a: 1, b: 'x', c: [1, 2], d: { e: true } }]);
    assert.equal(alltypes![0], 'alltypes');
    assert.deepEqual(alltypes![1], ALLTYPES);
  }));

const ALLTYPES: UbusTable = {
  str: 'hello',
  empty_str: '',
  int32: 42,
  neg_int32: -7,
  int32_max: 2147483647,
  int32_min: -2147483648,
  int64: 5000000000,
  int64_neg: -5000000000,
  int64_max: 9223372036854775807n,
  bool_true: true,
  bool_false: false,
  double: 3.25,
  neg_double: -0.5,
  null: null,
  table: { x: { y: 'z' }, n: 1 },
  array: [1, 'two', 3.5, true, [], {}],
  empty_table: {},
  empty_array: [],
  utf8: 'h\u00e9llo \u20ac',
};

test('e_send_listen.json: `ubus send myevent`', () =>
  replay('e_send_listen.json', 'cli_send_myevent', (ubus) => ubus.sendEvent('myevent', { a: 1, b: 'x', c: [1, 2], d: { e: true } })));

test('e_send_listen.json: `ubus send alltypes` with every blobmsg type', () =>
  replay('e_send_listen.json', 'cli_send_alltypes', (ubus) => ubus.sendEvent('alltypes', ALLTYPES)));

test('e_send_listen.json: an event nobody listens to', () =>
  replay('e_send_listen.json', 'cli_send_unheard', (ubus) => ubus.sendEvent('nobody.listens', { k: 'v' })));

test('f_wait_for.json: `ubus wait_for test` before the object exists (ubus.object.add event)', () =>
  replay('f_wait_for.json', 'cli_wait_for', async (ubus) => {
    const events = collect(1);
    await ubus.onEvent('ubus.object.add', events.cb);
    assert.deepEqual(await ubus.list(), []);
    assert.deepEqual(await events.done, [['ubus.object.add', { id: 438094699, path: 'test' }]]);
  }));

for (const label of ['cli_wait_for_existing', 'cli_wait_for_never']) {
  test(`f_wait_for.json: \`ubus wait_for\` (${label})`, () =>
    replay('f_wait_for.json', label, async (ubus) => {
      await ubus.onEvent('ubus.object.add', () => undefined);
      assert.deepEqual(await ubus.list(), [testObject(438094699, 1914922451)]);
    }));
}

test('g_subscribe.json: the publisher learns that a subscriber arrived', () =>
  replay('g_subscribe.json', 'server', async (ubus) => {
    let active!: (v: boolean) => void;
    const told = new Promise<boolean>((resolve) => (active = resolve));
    await exampleServer(ubus, active);
    assert.equal(await told, true);
  }));

test('g_subscribe.json: `ubus subscribe test`; when the target goes away the client waits for it to return', () =>
  replay('g_subscribe.json', 'cli_subscribe', (ubus) => ubus.subscribe('test', () => undefined).then(() => undefined), {
    extra: {
      count: 1,
      // After ubusd's UNSUBSCRIBE the client creates its listener for ubus.object.add.
      check: ([frame]) => assert.deepEqual(decodeMessage(frame!), { type: MsgType.ADD_OBJECT, seq: 4, peer: 0, attrs: {} }),
    },
  }));
