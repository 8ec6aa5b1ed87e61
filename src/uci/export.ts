// The text of `uci export` (file.c: uci_export_package), which is also what `uci commit`
// writes to /etc/config without the `package` line: comments and original quoting are gone.

import type { UciPackage } from './model.js';
import { escapeQuotes, quote } from './quote.js';

export interface ExportOptions {
  // Print the `package NAME` line (default true; `uci commit` leaves it out).
  header?: boolean;
  // `uci -n`: name anonymous sections (cfgXXXXXX) too.
  names?: boolean;
}

export function exportUci(pkg: UciPackage, opts: ExportOptions = {}): string {
  const out: string[] = [];
  if (opts.header ?? true) out.push(`package ${escapeQuotes(pkg.name)}\n`);
  for (const s of pkg.sections) {
    const name = !s.anonymous || opts.names ? ` ${quote(s.name)}` : '';
    out.push(`\nconfig ${escapeQuotes(s.type)}${name}\n`);
    for (const o of s.options) {
      if (o.kind === 'string') out.push(`\toption ${o.name} ${quote(o.value)}\n`);
      else for (const item of o.items) out.push(`\tlist ${o.name} ${quote(item.value)}\n`);
    }
  }
  out.push('\n');
  return out.join('');
}

// The file contents `uci commit` would write for this package.
export function serializeUci(pkg: UciPackage): string {
  return exportUci(pkg, { header: false });
}
