// Reading and committing UCI files on disk, where libuci would: a file in the override
// directory /var/run/uci (libuci since 2025) takes the place of its /etc/config namesake.

import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { serializeUci } from './export.js';
import type { UciPackage } from './model.js';
import { parseUci } from './parse.js';

const CONFIG_DIR = '/etc/config';
const OVERRIDE_DIR = '/var/run/uci';

export function uciPath(file: string): string {
  if (dirname(file) !== CONFIG_DIR) return file;
  const override = join(OVERRIDE_DIR, basename(file));
  return existsSync(override) ? override : file;
}

// Throws UciSyntaxError (naming the file actually read) or the fs error.
export function readUciFile(file: string): { pkg: UciPackage; path: string } {
  const path = uciPath(file);
  return { pkg: parseUci(readFileSync(path), { name: basename(file), file: path }), path };
}

// Like `uci commit`: write a temporary file beside the target and rename it over, so that a
// reader never sees half a file; the file keeps its permissions, a symlink stays a symlink.
export function writeUciFile(file: string, pkg: UciPackage): void {
  const path = existsSync(uciPath(file)) ? realpathSync(uciPath(file)) : uciPath(file);
  const tmp = join(dirname(path), `.${basename(path)}.uci-${randomBytes(4).toString('hex')}`);
  const mode = existsSync(path) ? statSync(path).mode & 0o7777 : 0o644;
  try {
    writeFileSync(tmp, serializeUci(pkg), { mode, flag: 'wx' });
    renameSync(tmp, path);
  } catch (err) {
    if (existsSync(tmp)) unlinkSync(tmp);
    throw err;
  }
}
