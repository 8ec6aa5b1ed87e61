// The parts of LuCI's JavaScript API the page uses (luci-base: luci.js, rpc.js, uci.js,
// ui.js). LuCI's loader hands them to the bundle's footer, which passes them to create();
// nothing here imports LuCI, so the same modules run under the dev harness and in tests.

export interface RpcDeclaration {
  object: string;
  method: string;
  params?: string[];
  expect?: Record<string, unknown>;
  filter?: (data: unknown, args: unknown[], ...extra: unknown[]) => unknown;
  reject?: boolean;
}

export interface LuciRpc {
  declare(options: RpcDeclaration): (...args: unknown[]) => Promise<unknown>;
}

// A section as uci.js returns it: options plus the dotted meta fields.
export type UciSectionObject = { '.name': string; '.type': string; '.anonymous': boolean; '.index': number } & Record<string, unknown>;

export interface LuciUci {
  load(config: string | string[]): Promise<string[]>;
  unload(config: string | string[]): void;
  sections(config: string, type?: string): UciSectionObject[];
  get(config: string, section: string, option?: string): unknown;
  set(config: string, section: string, option: string, value: string | string[] | null): void;
  unset(config: string, section: string, option: string): void;
  add(config: string, type: string, name?: string): string;
  remove(config: string, section: string): void;
  save(): Promise<unknown>;
}

export interface LuciUi {
  changes: { apply(checked?: boolean): unknown };
  addNotification(title: string | null, children: unknown, ...classes: string[]): unknown;
}

export interface LuciPoll {
  add(fn: () => Promise<unknown>, interval?: number): boolean;
  remove(fn: () => Promise<unknown>): boolean;
}

export interface LuciViewClass {
  extend(properties: Record<string, unknown>): unknown;
}

export interface LuciL {
  env: Record<string, unknown>;
  hasViewPermission?(): boolean | null;
}

export interface Luci {
  L: LuciL;
  view: LuciViewClass;
  rpc: LuciRpc;
  poll: LuciPoll;
  uci: LuciUci;
  ui: LuciUi;
  E: (tag: string, attrs?: unknown, children?: unknown) => HTMLElement;
  _: (text: string, context?: string) => string;
}

let current: Luci | undefined;

export function setLuci(l: Luci): void {
  current = l;
}

export function luci(): Luci {
  if (!current) throw new Error('the LuCI environment is not set (create() was not called)');
  return current;
}

export function hasLuci(): boolean {
  return current !== undefined;
}
