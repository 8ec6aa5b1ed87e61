// How luci.js finds a module's dependencies: the quoted 'require …' statements at its top.
const REQUIRE = /^require[ \t]+(\S+)(?:[ \t]+as[ \t]+([a-zA-Z_]\S*))?$/;
const STRICT = /^use[ \t]+strict$/;

// The module names and aliases of a source's prologue, scanned as luci.js scans them.
export function scanRequires(source: string): { name: string; as: string }[] {
  const out: { name: string; as: string }[] = [];
  let off = -1;
  let quote = -1;
  let esc = false;
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (esc) esc = false;
    else if (c === 92) esc = true;
    else if (c === quote) {
      const s = source.substring(off, i);
      const m = REQUIRE.exec(s);
      if (m) out.push({ name: m[1]!, as: m[2] ?? m[1]!.replace(/[^a-zA-Z0-9_]/g, '_') });
      else if (!STRICT.test(s)) break;
      off = -1;
      quote = -1;
    } else if (quote === -1 && (c === 34 || c === 39)) {
      off = i + 1;
      quote = c;
    }
  }
  return out;
}

