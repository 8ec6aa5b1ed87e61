// Reading the options of one UCI section against a schema, collecting every problem with
// the line it is on instead of stopping at the first one.

import type { ConfigProblem } from './types.js';
import type { UciSection } from '../uci/model.js';
import type { Parser } from './values.js';

export class Problems {
  readonly list: ConfigProblem[] = [];

  constructor(readonly file: string) {}

  error(line: number, message: string, option?: string): void {
    this.add('error', line, message, option);
  }

  warning(line: number, message: string, option?: string): void {
    this.add('warning', line, message, option);
  }

  private add(severity: ConfigProblem['severity'], line: number, message: string, option: string | undefined): void {
    this.list.push({ file: this.file, line, severity, message, ...(option ? { option } : {}) });
  }

  get hasErrors(): boolean {
    return this.list.some((p) => p.severity === 'error');
  }
}

// A parsed value, the text it came from and its line.
export interface Located<T> {
  value: T;
  text: string;
  line: number;
}

// How a section is named in messages: as `uci show` would address it.
export function sectionLabel(s: UciSection, index: number): string {
  return s.anonymous ? `${s.type} @${s.type}[${index}]` : `${s.type} '${s.name}'`;
}

// Names for the sections of one type: anonymous ones are called after their `@type[i]`
// address (`link2`), with a suffix in the unlikely case that a named section took it.
export function sectionNames(sections: UciSection[]): string[] {
  const taken = new Set(sections.filter((s) => !s.anonymous).map((s) => s.name));
  return sections.map((s, i) => {
    if (!s.anonymous) return s.name;
    let name = `${s.type}${i}`;
    for (let k = 1; taken.has(name); k++) name = `${s.type}${i}_${k}`;
    taken.add(name);
    return name;
  });
}

// Keys are secret: their values never appear in messages.
const SECRET = ['key'];

export class SectionReader {
  private readonly seen = new Set<string>();

  constructor(
    readonly section: UciSection,
    readonly label: string,
    readonly problems: Problems,
  ) {}

  get line(): number {
    return this.section.line;
  }

  private invalid(line: number, what: string, name: string, text: string, error: string): void {
    const shown = SECRET.includes(name) ? '' : ` '${text}'`;
    this.problems.error(line, `${what} '${name}'${shown}: ${error}`, name);
  }

  // A single-valued option; undefined when absent or invalid (the problem is recorded).
  get<T>(name: string, parse: Parser<T>): Located<T> | undefined {
    this.seen.add(name);
    const o = this.section.options.find((x) => x.name === name);
    if (!o) return undefined;
    if (o.kind === 'list') {
      this.problems.error(o.line, `option '${name}' takes one value, not a list`, name);
      return undefined;
    }
    const r = parse(o.value);
    if ('error' in r) {
      this.invalid(o.line, 'option', name, o.value, r.error);
      return undefined;
    }
    return { value: r.value, text: o.value, line: o.line };
  }

  // Like get, and an error on the section header when the option is missing and `needed`.
  need<T>(name: string, parse: Parser<T>, needed: boolean): Located<T> | undefined {
    const v = this.get(name, parse);
    if (needed && !this.section.options.some((x) => x.name === name)) this.problems.error(this.line, `${this.label} needs option '${name}'`, name);
    return v;
  }

  // A list; a plain option counts as a list of one, as UCI consumers usually allow.
  list<T>(name: string, parse: Parser<T>): Located<T>[] {
    this.seen.add(name);
    const o = this.section.options.find((x) => x.name === name);
    const items = !o ? [] : o.kind === 'list' ? o.items : [{ value: o.value, line: o.line }];
    return items.flatMap((item) => {
      const r = parse(item.value);
      if ('value' in r) return [{ value: r.value, line: item.line, text: item.value }];
      this.invalid(item.line, o!.kind === 'list' ? 'list' : 'option', name, item.value, r.error);
      return [];
    });
  }

  // Options that belong to the other mode: warned about, never read.
  ignore(names: readonly string[], why: string): void {
    for (const o of this.section.options) {
      if (!names.includes(o.name)) continue;
      this.seen.add(o.name);
      this.problems.warning(o.line, `option '${o.name}' ${why} (ignored)`, o.name);
    }
  }

  // Call last: every option nobody asked for is unknown.
  finish(): void {
    for (const o of this.section.options) {
      if (!this.seen.has(o.name)) this.problems.warning(o.line, `unknown option '${o.name}' in ${this.label} (ignored)`, o.name);
    }
  }
}
