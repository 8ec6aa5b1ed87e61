// JSON text <-> blobmsg exactly as libubox's blobmsg_json does it (the `ubus` CLI, rpcd and
// uhttpd all go through it): parsing follows json-c (integers vs. doubles decided by the
// token, integers clamped to int64, duplicate keys keep the first position and the last
// value, keys and strings end at an embedded NUL, at most 32 levels of nesting) and
// formatting follows blobmsg_format_json (INT8 as true/false, doubles as C's "%f", a
// table entry with an empty name printed without its key).
// json-c also accepts comments, single quotes, trailing commas and NaN; this parser
// accepts standard JSON only and rejects those.
import type { BlobmsgField, BlobmsgNode } from './blobmsg.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const MAX_DEPTH = 32; // json-c's JSON_TOKENER_DEFAULT_DEPTH

// The top level must be an object, as in blobmsg_add_json_from_string; its members are
// returned as the fields of a table body.
export function parseJsonTable(text: string): BlobmsgField[] {
  const p = new Parser(text);
  p.ws();
  if (text[p.at] !== '{') p.fail('the top level must be an object');
  const fields = p.object(1);
  p.ws();
  if (p.at < text.length) p.fail('unexpected text after the object');
  return fields;
}

class Parser {
  at = 0;
  constructor(private readonly s: string) {}

  fail(why: string): never {
    throw new SyntaxError(`JSON: ${why} at offset ${this.at}`);
  }

  ws(): void {
    while (this.at < this.s.length && ' \t\n\r'.includes(this.s[this.at]!)) this.at++;
  }

  expect(c: string): void {
    this.ws();
    if (this.s[this.at] !== c) this.fail(`expected '${c}'`);
    this.at++;
  }

  object(depth: number): BlobmsgField[] {
    if (depth > MAX_DEPTH) this.fail('nesting deeper than 32 levels');
    this.at++;
    const members = new Map<string, BlobmsgNode>();
    this.ws();
    if (this.s[this.at] === '}') {
      this.at++;
      return [];
    }
    for (;;) {
      this.ws();
      if (this.s[this.at] !== '"') this.fail('expected a key');
      const key = cut(this.string());
      this.expect(':');
      members.set(key, this.value(depth));
      this.ws();
      const c = this.s[this.at++];
      if (c === '}') break;
      if (c !== ',') this.fail("expected ',' or '}'");
    }
    return [...members].map(([name, node]) => ({ name, ...node }));
  }

  array(depth: number): BlobmsgField[] {
    if (depth > MAX_DEPTH) this.fail('nesting deeper than 32 levels');
    this.at++;
    const items: BlobmsgField[] = [];
    this.ws();
    if (this.s[this.at] === ']') {
      this.at++;
      return items;
    }
    for (;;) {
      items.push({ name: '', ...this.value(depth) });
      this.ws();
      const c = this.s[this.at++];
      if (c === ']') break;
      if (c !== ',') this.fail("expected ',' or ']'");
    }
    return items;
  }

  value(depth: number): BlobmsgNode {
    this.ws();
    const c = this.s[this.at];
    if (c === '{') return { type: 'table', value: this.object(depth + 1) };
    if (c === '[') return { type: 'array', value: this.array(depth + 1) };
    if (c === '"') return { type: 'string', value: this.string() };
    for (const [word, node] of KEYWORDS) {
      if (this.s.startsWith(word, this.at)) {
        this.at += word.length;
        return node();
      }
    }
    return this.number();
  }

  number(): BlobmsgNode {
    NUMBER.lastIndex = this.at;
    const m = NUMBER.exec(this.s);
    if (!m) this.fail('expected a value');
    this.at += m[0].length;
    if (m[1] !== undefined || m[2] !== undefined) return { type: 'double', value: Number(m[0]) };
    let n = BigInt(m[0]);
    if (n < INT64_MIN) n = INT64_MIN;
    if (n > INT64_MAX) n = INT64_MAX;
    if (n >= -0x80000000n && n <= 0x7fffffffn) return { type: 'int32', value: Number(n) };
    return { type: 'int64', value: n };
  }

  string(): string {
    this.at++;
    let out = '';
    for (;;) {
      const c = this.s[this.at++];
      if (c === undefined) this.fail('unterminated string');
      if (c === '"') return out;
      if (c < ' ') this.fail('control character in a string');
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.s[this.at++];
      if (e === 'u') {
        const hex = this.s.slice(this.at, this.at + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('bad \\u escape');
        out += String.fromCharCode(parseInt(hex, 16));
        this.at += 4;
      } else {
        const plain = e === undefined ? undefined : ESCAPES[e];
        if (plain === undefined) this.fail('bad escape');
        out += plain;
      }
    }
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

const KEYWORDS: ReadonlyArray<[string, () => BlobmsgNode]> = [
  ['true', () => ({ type: 'int8', value: 1 })],
  ['false', () => ({ type: 'int8', value: 0 })],
  ['null', () => ({ type: 'unspec', value: Buffer.alloc(0) })],
];

// json-c stores keys as C strings, so "a\u0000b" and "a" are the same key.
function cut(s: string): string {
  const nul = s.indexOf('\0');
  return nul < 0 ? s : s.slice(0, nul);
}

// blobmsg_format_json(attr, true) of a table whose body is `fields`.
export function formatJsonTable(fields: readonly BlobmsgField[]): string {
  return formatList(fields, false);
}

function formatList(fields: readonly BlobmsgField[], array: boolean): string {
  const parts = fields.map((f) => (!array && f.name !== '' ? `${formatString(f.name)}:` : '') + formatValue(f));
  return array ? `[${parts.join(',')}]` : `{${parts.join(',')}}`;
}

function formatValue(node: BlobmsgNode): string {
  switch (node.type) {
    case 'unspec':
      return 'null';
    case 'int8':
      return node.value !== 0 ? 'true' : 'false';
    case 'int16':
    case 'int32':
    case 'int64':
      return String(node.value);
    case 'double':
      return formatDouble(node.value);
    case 'string':
      return formatString(node.value);
    case 'array':
      return formatList(node.value, true);
    case 'table':
      return formatList(node.value, false);
  }
}

// blobmsg_format_string: escapes \b \n \t \r " \ and other control characters as \u00xx;
// everything else, including DEL and non-ASCII, goes out raw. It stops at a NUL.
function formatString(s: string): string {
  return `"${cut(s).replace(/[\u0000-\u001f"\\]/g, (c) => {
    switch (c) {
      case '\b':
        return '\\b';
      case '\n':
        return '\\n';
      case '\t':
        return '\\t';
      case '\r':
        return '\\r';
      case '"':
      case '\\':
        return `\\${c}`;
      default:
        return `\\u00${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
    }
  })}"`;
}

// C's "%f": the exact binary value rounded half-to-even to six decimals (toFixed rounds
// ties away from zero and switches to exponents at 1e21, so it cannot be used). The
// result is cut at 316 characters like libubox's snprintf into a 317-byte buffer.
export function formatDouble(x: number): string {
  const bits = Buffer.alloc(8);
  bits.writeDoubleBE(x);
  const sign = bits[0]! & 0x80 ? '-' : '';
  if (Number.isNaN(x)) return `${sign}nan`;
  if (!Number.isFinite(x)) return `${sign}inf`;
  const exp = (bits.readUInt16BE(0) >> 4) & 0x7ff;
  let mant = bits.readBigUInt64BE(0) & 0xfffffffffffffn;
  let e2 = exp - 1075;
  if (exp === 0) e2 = -1074;
  else mant |= 1n << 52n;
  let micro: bigint;
  if (e2 >= 0) {
    micro = (mant << BigInt(e2)) * 1000000n;
  } else {
    const num = mant * 1000000n;
    const den = 1n << BigInt(-e2);
    micro = num / den;
    const twice = (num % den) * 2n;
    if (twice > den || (twice === den && micro % 2n === 1n)) micro++;
  }
  const digits = micro.toString().padStart(7, '0');
  return `${sign}${digits.slice(0, -6)}.${digits.slice(-6)}`.slice(0, 316);
}
