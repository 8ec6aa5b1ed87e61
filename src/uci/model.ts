// The in-memory shape of one UCI package, as libuci holds it after loading a file.
// Line numbers are 1-based physical lines of the source file (0 for things created by
// the writer) so that configuration errors can point back into the file.

export interface UciItem {
  value: string;
  line: number;
}

export type UciOption =
  | { kind: 'string'; name: string; value: string; line: number }
  | { kind: 'list'; name: string; items: UciItem[]; line: number };

export interface UciSection {
  type: string;
  // Anonymous sections get a generated `cfgXXXXXX` name, as libuci does, so that they can
  // be addressed; `anonymous` decides whether export and show reveal it.
  name: string;
  anonymous: boolean;
  line: number;
  options: UciOption[];
}

export interface UciPackage {
  name: string;
  sections: UciSection[];
  // libuci's running section counter: it goes into the generated names and never decreases
  // when sections are deleted, so a later anonymous section cannot reuse an old name.
  sectionCounter: number;
}
