// LuCI's class helper (luci.js: Class.extend, super, isSubclass, singleton), as far as the
// view and the stand-in modules use it. Views are written against this shape: extend() takes
// a plain object of members, `__init__` is the constructor, and instances are created by the
// loader, never by the view itself.

export type Members = Record<string, unknown>;

export interface ClassCtor {
  new (...args: unknown[]): any;
  prototype: any;
  extend(members: Members): ClassCtor;
  singleton(members: Members, ...args: unknown[]): any;
  isSubclass(c: unknown): boolean;
}

function makeBase(): ClassCtor {
  const Base = function (this: any) {} as unknown as ClassCtor;
  Base.prototype = {
    varargs(args: ArrayLike<unknown>, offset: number, ...extra: unknown[]) {
      return [...extra, ...Array.prototype.slice.call(args, offset)];
    },
    super(this: any, key: string, args?: unknown[]) {
      // the first prototype above this method's own class that has `key`
      let p = Object.getPrototypeOf(Object.getPrototypeOf(this));
      while (p && !Object.prototype.hasOwnProperty.call(p, key)) p = Object.getPrototypeOf(p);
      if (!p) return null;
      const v = p[key];
      return arguments.length > 1 ? (v as (...a: unknown[]) => unknown).apply(this, args ?? []) : v;
    },
  };
  Base.extend = function (this: ClassCtor, members: Members): ClassCtor {
    const parent = this;
    const Ctor = function (this: any, ...args: unknown[]) {
      if (!(this instanceof Ctor)) throw new TypeError('Constructor must not be called without "new"');
      if (typeof this.__init__ === 'function') this.__init__(...args);
    } as unknown as ClassCtor;
    Ctor.prototype = Object.create(parent.prototype);
    for (const [k, v] of Object.entries(members)) Object.defineProperty(Ctor.prototype, k, { value: v, writable: true, configurable: true });
    Ctor.prototype.constructor = Ctor;
    Ctor.extend = Base.extend;
    Ctor.singleton = Base.singleton;
    Ctor.isSubclass = Base.isSubclass;
    return Ctor;
  };
  Base.singleton = function (this: ClassCtor, members: Members, ...args: unknown[]) {
    return new (this.extend(members))(...args);
  };
  Base.isSubclass = function (this: ClassCtor, c: unknown): boolean {
    return typeof c === 'function' && (c as ClassCtor).prototype instanceof this;
  };
  return Base;
}

export const Class = makeBase();
