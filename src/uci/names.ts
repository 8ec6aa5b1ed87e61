// Character rules for names and types (libuci util.c, C locale) and libuci's generated
// names for anonymous sections.

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function everyCode(s: string, ok: (c: number) => boolean): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!ok(s.charCodeAt(i))) return false;
  return true;
}

// Section and option names: [A-Za-z0-9_]+, so that shell scripts can use them in variables.
export function isValidName(s: string): boolean {
  return everyCode(s, (c) => isAlnum(c) || c === 0x5f);
}

// Package names may also contain '-'.
export function isValidPackageName(s: string): boolean {
  return everyCode(s, (c) => isAlnum(c) || c === 0x5f || c === 0x2d);
}

// Section types: any printable ASCII except space.
export function isValidType(s: string): boolean {
  return everyCode(s, (c) => c >= 33 && c <= 126);
}

// libuci keeps values as C strings, and everything else survives export and reload
// (single quotes are escaped, newlines stay inside the quotes).
export function isValidValue(s: string): boolean {
  return !s.includes('\0');
}

// Bernstein's hash as libuci computes it over the section type, on 32-bit unsigned ints and
// masked to 31 bits. Types are printable ASCII, so UTF-16 code units equal the C bytes.
function djbHash(s: string): number {
  let h = 5381;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 33) + s.charCodeAt(i)) >>> 0;
  return h & 0x7fffffff;
}

// libuci names an anonymous section when it is created, before it has options, so only the
// counter and the type go into the name: `cfg` + %02x counter + %04x hash.
export function anonymousName(counter: number, type: string): string {
  const hash = djbHash(type) % 65536;
  return `cfg${counter.toString(16).padStart(2, '0')}${hash.toString(16).padStart(4, '0')}`;
}
