// Translation: every string the page shows goes through LuCI's _() (so LuCI's string scanner
// and its .po files work for it) and is written out literally at the call, _('Like this').
import { hasLuci, luci } from './luci.js';

export function _(text: string, context?: string): string {
  return hasLuci() && typeof luci()._ === 'function' ? luci()._(text, context) : text;
}

// LuCI's String.prototype.format for the placeholders the page uses: %s, %d, %%.
export function format(template: string, ...args: unknown[]): string {
  let i = 0;
  return template.replace(/%([sd%])/g, (_m, c: string) => (c === '%' ? '%' : String(c === 'd' ? Math.round(Number(args[i++])) : args[i++])));
}
