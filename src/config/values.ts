// Parsers for single option values. Each returns the typed value or a message saying what
// a valid value looks like; the caller adds file, line and option name.

import { isValidName } from '../uci/names.js';
import { hostBitsSet, networkOf, parseAddress, parsePrefix, type Address, type Prefix } from './ip.js';

export type Parsed<T> = { value: T } | { error: string };
export type Parser<T> = (text: string) => Parsed<T>;

const ok = <T>(value: T): Parsed<T> => ({ value });
const bad = <T>(error: string): Parsed<T> => ({ error });

// The spellings OpenWrt's config_get_bool accepts (functions.sh), case-sensitive like it.
const TRUE = ['1', 'yes', 'on', 'true', 'enabled'];
export const FALSE: readonly string[] = ['0', 'no', 'off', 'false', 'disabled'];

export const bool: Parser<boolean> = (s) => {
  if (TRUE.includes(s)) return ok(true);
  if (FALSE.includes(s)) return ok(false);
  return bad("must be a boolean ('1' or '0')");
};

export function integer(min: number, max: number): Parser<number> {
  return (s) => {
    const n = /^\d+$/.test(s) ? Number(s) : NaN;
    return n >= min && n <= max ? ok(n) : bad(`must be an integer from ${min} to ${max}`);
  };
}

export function oneOf<T extends string>(values: readonly T[]): Parser<T> {
  return (s) => ((values as readonly string[]).includes(s) ? ok(s as T) : bad(`must be one of ${values.join(', ')}`));
}

export const mbps: Parser<number> = (s) => {
  const n = /^(\d+(\.\d*)?|\.\d+)$/.test(s) ? Number(s) : NaN;
  return n > 0 && Number.isFinite(n) ? ok(n) : bad('must be a positive number of Mbit/s');
};

// Routing tables 253-255 are the kernel's default, main and local tables.
export const table: Parser<number> = (s) => {
  const n = /^\d+$/.test(s) ? Number(s) : NaN;
  if ((n >= 1 && n <= 252) || (n >= 256 && n <= 2 ** 31)) return ok(n);
  return bad('must be a routing table number from 1 to 252 or from 256 to 2147483648 (253-255 are default, main and local)');
};

export const key: Parser<string> = (s) => {
  const bytes = Buffer.from(s, 'base64');
  // Buffer.from skips junk; re-encoding shows whether the text was clean base64.
  if (bytes.length === 32 && bytes.toString('base64') === s) return ok(s);
  return bad("must be 32 bytes in base64, as printed by 'bondd genkey'");
};

// A Linux network device name (IFNAMSIZ 16 with the NUL; '/', ':' and blanks not allowed).
export const ifname: Parser<string> = (s) =>
  /^[^/:\s]{1,15}$/.test(s) && s !== '.' && s !== '..' ? ok(s) : bad('must be a network device name of 1 to 15 characters without /, : or blanks');

// netifd interfaces are UCI section names of the network config.
export const netifdName: Parser<string> = (s) => (isValidName(s) ? ok(s) : bad('must be a network interface name (letters, digits, _)'));

export function address(family?: 4 | 6): Parser<Address> {
  const what = family ? `an IPv${family} address` : 'an IPv4 or IPv6 address';
  return (s) => {
    const a = parseAddress(s);
    return a && (!family || a.family === family) ? ok(a) : bad(`must be ${what}`);
  };
}

// An interface address with its prefix length, as `10.77.0.1/24`.
export function hostPrefix(family: 4 | 6): Parser<Prefix> {
  return (s) => {
    const p = parsePrefix(s);
    return p && p.family === family ? ok(p) : bad(`must be an IPv${family} address with prefix length, like ${family === 4 ? '10.77.0.1/24' : 'fd77::1/64'}`);
  };
}

// A route destination: host bits must be zero, or `ip route` refuses it.
export const route: Parser<Prefix> = (s) => {
  const p = parsePrefix(s);
  if (!p) return bad('must be an IPv4 or IPv6 prefix, like 192.168.1.0/24');
  return hostBitsSet(p) ? bad(`has host bits set (did you mean ${networkOf(p)}?)`) : ok(p);
};

function isHostName(s: string): boolean {
  const name = s.endsWith('.') ? s.slice(0, -1) : s;
  const labels = name.split('.');
  // An all-numeric last label would be a mistyped IPv4 address, not a name.
  return (
    name.length >= 1 &&
    name.length <= 253 &&
    labels.every((l) => /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(l)) &&
    !/^\d+$/.test(labels[labels.length - 1]!)
  );
}

export const host: Parser<string> = (s) => (parseAddress(s) || isHostName(s) ? ok(s) : bad('must be a host name or an IP address'));
