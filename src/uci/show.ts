// The text of `uci show PACKAGE` (cli.c: uci_show_package): one line per section and per
// option; anonymous sections as `@type[i]`, i counting every section of that type.

import type { UciPackage, UciSection } from './model.js';
import { quote } from './quote.js';

export interface ShowOptions {
  // `uci -X`: show anonymous sections under their generated cfgXXXXXX names.
  names?: boolean;
}

function sectionRefs(pkg: UciPackage, names: boolean): string[] {
  const seen = new Map<string, number>();
  return pkg.sections.map((s: UciSection) => {
    const i = seen.get(s.type) ?? 0;
    seen.set(s.type, i + 1);
    return s.anonymous && !names ? `@${s.type}[${i}]` : s.name;
  });
}

export function showUci(pkg: UciPackage, opts: ShowOptions = {}): string {
  const refs = sectionRefs(pkg, opts.names ?? false);
  const out: string[] = [];
  pkg.sections.forEach((s, i) => {
    const prefix = `${pkg.name}.${refs[i]}`;
    out.push(`${prefix}=${s.type}\n`);
    for (const o of s.options) {
      const value = o.kind === 'string' ? quote(o.value) : o.items.map((item) => quote(item.value)).join(' ');
      out.push(`${prefix}.${o.name}=${value}\n`);
    }
  });
  return out.join('');
}
