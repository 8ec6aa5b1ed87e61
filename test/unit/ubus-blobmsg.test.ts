// blob/blobmsg codec and the JSON mapping of libubox's blobmsg_json. The real ubusd and
// libubox cannot run in the tests, so they use the recorded vectors in
// test/fixtures/ubus/blobmsg-vectors.json (produced by libubox 1aa36ee with json-c 0.16).
// The few extra cases at the end were checked by hand against that same libubox build.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeAttrs, encodeAttr } from '../../src/ubus/blob.js';
import { formatDouble, formatJsonTable, parseJsonTable } from '../../src/ubus/blobmsg-json.js';
import { decodeBlobmsg, encodeBlobmsg, type BlobmsgField } from '../../src/ubus/blobmsg.js';
import { blobmsgToTable, tableToBlobmsg, type UbusTable } from '../../src/ubus/value.js';
import { readFixture, type BlobmsgVector, type RecordedBlobmsg } from './ubus-fixtures.js';

const vectors = readFixture<BlobmsgVector[]>('blobmsg-vectors.json');
const hex = (b: Buffer) => b.toString('hex');
const bytes = (h: string) => Buffer.from(h, 'hex');

test('there are 70 vectors, 65 accepted by libubox', () => {
  assert.equal(vectors.length, 70);
  assert.equal(vectors.filter((v) => v.ok).length, 65);
});

for (const v of vectors) {
  test(`vector "${v.description}": JSON -> bytes`, () => {
    if (!v.ok) {
      assert.throws(() => parseJsonTable(v.json), SyntaxError);
      return;
    }
    const body = encodeBlobmsg(parseJsonTable(v.json));
    assert.equal(hex(body), v.data_hex);
    // blobmsg_buf_init's buffer: a plain (not extended) header with id 2, BLOBMSG_TYPE_TABLE.
    assert.equal(hex(encodeAttr(2, false, [body])), v.hex);
  });

  if (!v.ok) continue;

  test(`vector "${v.description}": bytes -> JSON and back`, () => {
    const [outer, ...rest] = decodeAttrs(bytes(v.hex));
    assert.equal(rest.length, 0);
    assert.equal(outer!.id, 2);
    const fields = decodeBlobmsg(outer!.payload);
    assert.equal(formatJsonTable(fields), v.format_json);
    assert.equal(hex(encodeBlobmsg(fields)), v.data_hex);
    checkDecoded(fields, v.decoded!);
  });
}

// Every entry of libubox's own reading: name, type and the exact bytes of the attribute.
function checkDecoded(fields: BlobmsgField[], expected: RecordedBlobmsg[], inArray = false): void {
  assert.equal(fields.length, expected.length);
  fields.forEach((f, i) => {
    const e = expected[i]!;
    assert.equal(f.name, inArray ? '' : e.name);
    assert.equal(f.type, e.type.toLowerCase());
    assert.equal(hex(encodeBlobmsg([f])).slice(0, e.raw_len * 2), e.hex);
    if (f.type === 'table' || f.type === 'array') checkDecoded(f.value, e.value as RecordedBlobmsg[], f.type === 'array');
    // JSON.parse rounds the recorded int64 values to doubles; so does Number().
    else if (f.type === 'int64') assert.equal(Number(f.value), e.value);
    else if (f.type === 'string' || f.type === 'int32' || f.type === 'double') assert.equal(f.value, e.value);
    else if (f.type === 'int8') assert.equal(f.value !== 0, e.value === true || e.value === 1);
  });
}

// JavaScript numbers cannot say "1.0" or "-0.0", nor hold integers beyond 2^53, and
// JSON.parse cannot show what json-c does with integers beyond int64.
const NOT_PLAIN_JS = new Set([
  'double 1.0 (stays double)',
  'double exponent 1e3',
  'double -0.0',
  'int64 max',
  'int64 min',
  'above int64 max (json-c behaviour)',
  'uint64 max (json-c behaviour)',
  'all types',
]);

test('JS values encode like the same JSON through blobmsg_json', () => {
  let checked = 0;
  for (const v of vectors) {
    if (!v.ok || NOT_PLAIN_JS.has(v.description)) continue;
    const value = JSON.parse(v.json) as UbusTable;
    assert.equal(hex(encodeBlobmsg(tableToBlobmsg(value))), v.data_hex, v.description);
    checked++;
  }
  assert.equal(checked, 57);
});

test('JS values: bigint is INT64, integers beyond int32 are INT64, fractions DOUBLE', () => {
  const all = vectors.find((v) => v.description === 'all types')!;
  const value: UbusTable = {
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
  assert.equal(hex(encodeBlobmsg(tableToBlobmsg(value))), all.data_hex);
  assert.deepEqual(blobmsgToTable(decodeBlobmsg(bytes(all.data_hex!))), value);
  assert.equal(hex(encodeBlobmsg(tableToBlobmsg({ i: 2 ** 53 + 2 }))), '84000010000169000020000000000002');
  assert.equal(hex(encodeBlobmsg(tableToBlobmsg({ d: 1e300 }))).slice(0, 16), '8800001000016400');
  assert.equal(hex(encodeBlobmsg(tableToBlobmsg({ u: undefined as unknown as null }))), '');
  assert.throws(() => tableToBlobmsg({ b: 2n ** 63n }), RangeError);
  assert.throws(() => tableToBlobmsg({ f: (() => 1) as unknown as null }), TypeError);
});

test('JS values: INT8 reads as boolean, INT64 as number when safe, else bigint', () => {
  const fields: BlobmsgField[] = [
    { name: 'b', type: 'int8', value: -128 },
    { name: 'z', type: 'int8', value: 0 },
    { name: 's', type: 'int16', value: -2 },
    { name: 'n', type: 'int64', value: 5n },
    { name: 'big', type: 'int64', value: -(2n ** 60n) },
    { name: 'u', type: 'unspec', value: Buffer.of(1, 2) },
    { name: '__proto__', type: 'string', value: 'x' },
  ];
  const t = blobmsgToTable(decodeBlobmsg(encodeBlobmsg(fields)));
  assert.deepEqual(Object.keys(t), ['b', 'z', 's', 'n', 'big', 'u', '__proto__']);
  assert.equal(t.b, true);
  assert.equal(t.z, false);
  assert.equal(t.s, -2);
  assert.equal(t.n, 5);
  assert.equal(t.big, -(2n ** 60n));
  assert.equal(t.u, null);
  assert.equal(Object.getPrototypeOf(t), Object.prototype);
});

test('upstream golden vector tests/fuzz/corpus/valid-blobmsg.bin (a named element in an array)', () => {
  const bin =
    '8300001e00076d65737361676500000048656c6c6f2c20776f726c64210000008100004800046c69737400008500000c0000000000000000' +
    '8500000c00000000000000018500000c0000000000000002880000180006646f75626c65000000004060b66666666666820000480008746573' +
    '74646174610000880000180006646f75626c65000000004060b6666666666685000010000568656c6c6f00000000018300000e0005776f726c640032000000';
  const fields = decodeBlobmsg(bytes(bin));
  // Printed by libubox 1aa36ee's blobmsg_format_json.
  assert.equal(formatJsonTable(fields), '{"message":"Hello, world!","list":[0,1,2,133.700000],"testdata":{"double":133.700000,"hello":1,"world":"2"}}');
  assert.deepEqual(blobmsgToTable(fields), { message: 'Hello, world!', list: [0, 1, 2, 133.7], testdata: { double: 133.7, hello: 1, world: '2' } });
});

test('json-c details, checked against libubox 1aa36ee + json-c 0.16', () => {
  const cases: Array<[string, string]> = [
    ['{"a":1,"b":2,"a":3}', '8500000c00016100000000038500000c0001620000000002'],
    ['{"a\\u0000b":1,"a":2}', '8500000c0001610000000002'],
    ['{"a":-9223372036854775809}', '84000010000161008000000000000000'],
    ['{"a":1e400}', '88000010000161007ff0000000000000'],
    ['{"a":"\\ud800"}', '8300000c00016100efbfbd00'],
    ['{"a":-0}', '8500000c0001610000000000'],
    ['{"a":1E2}', '88000010000161004059000000000000'],
    ['{"k":"\\u00e9\\/"}', '8300000c00016b00c3a92f00'],
  ];
  for (const [json, want] of cases) assert.equal(hex(encodeBlobmsg(parseJsonTable(json))), want, json);
  const nest = (n: number) => `{"a":${'['.repeat(n - 1)}${']'.repeat(n - 1)}}`;
  assert.doesNotThrow(() => parseJsonTable(nest(32)));
  assert.throws(() => parseJsonTable(nest(33)), SyntaxError);
  assert.equal(formatJsonTable(parseJsonTable('{"a":"x\\u0001\\u007f\\f\\b"}')), '{"a":"x\\u0001\u007f\\u000c\\b"}');
});

test('non-standard JSON that json-c would take is refused', () => {
  for (const text of ["{'a':1}", '{"a":1,}', '{"a":01}', '{"a":NaN}', '{/*c*/"a":1}', '{"a":1} x', '{"a":.5}', '{"a":"\t"}']) {
    assert.throws(() => parseJsonTable(text), SyntaxError, text);
  }
});

test('doubles print as C "%f" does (round half to even, no exponent)', () => {
  assert.equal(formatDouble(0.0078125), '0.007812');
  assert.equal(formatDouble(0.0000078125), '0.000008');
  assert.equal(formatDouble(-1e-7), '-0.000000');
  assert.equal(formatDouble(123456789012345678901234567890.5), '123456789012345677877719597056.000000');
  assert.equal(
    formatDouble(1.5e308),
    '150000000000000001646859544416068312610738464515967769505216024354736378107367237305744993467742033348591874504581758773417385425614710132492460513797219069046907496754399540778546234549382838565007576699247501767640346439319417766442136793680061187184175955257676622657937704339811809909462328573145334677504.000000',
  );
  assert.equal(formatDouble(-Number.MAX_VALUE).length, 316);
  assert.equal(formatDouble(NaN), 'nan');
  assert.equal(formatDouble(-Infinity), '-inf');
  assert.equal(formatDouble(5e-324), '0.000000');
});

test('malformed blobmsg is refused, not half read', () => {
  const bad: Array<[string, string]> = [
    ['8500000c000161000000', 'truncated attribute'],
    ['8500000b0001610000000000', 'int32 with 3 bytes'],
    ['8300000c0001610061626364', 'string without NUL'],
    ['8900000c0001610000000001', 'type 9 does not exist'],
    ['0500000c0001610000000001', 'not extended: no name'],
    ['8500000c0009610000000001', 'name longer than the attribute'],
    ['8500000c00016162000000010000', 'name without NUL, stray bytes'],
    ['8500000c0001610000000001ff', 'one stray byte'],
  ];
  for (const [h, why] of bad) assert.throws(() => decodeBlobmsg(bytes(h)), RangeError, why);
});

test('array element names are ignored when reading and empty when writing', () => {
  const fields: BlobmsgField[] = [{ name: 'a', type: 'array', value: [{ name: 'x', type: 'int32', value: 1 }] }];
  assert.equal(hex(encodeBlobmsg(fields)), '81000014000161008500000c0000000000000001');
  assert.deepEqual(decodeBlobmsg(bytes('81000014000161008500000c0001780000000001')), [
    { name: 'a', type: 'array', value: [{ name: '', type: 'int32', value: 1 }] },
  ]);
});
