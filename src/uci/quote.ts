// libuci writes every value in single quotes, where nothing is special but the quote itself,
// which closes, escapes and reopens: it's → 'it'\''s'.
export function escapeQuotes(s: string): string {
  return s.replaceAll("'", "'\\''");
}

export function quote(s: string): string {
  return `'${escapeQuotes(s)}'`;
}
