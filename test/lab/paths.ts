// Where things are. Tests and the lab run from their transpiled copies in build/js/test/, a few
// tools from source, so the repository is found by walking up rather than by a fixed depth.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function repository(): string {
  const here = fileURLToPath(import.meta.url);
  // build/js/ mirrors the tree but holds no .ts: src/bondd.ts marks the source checkout
  for (let dir = dirname(here); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src/bondd.ts'))) return `${dir}/`;
    if (dirname(dir) === dir) throw new Error(`no repository above ${here}`);
  }
}

export const REPO = repository();
export const LAB_BUILD = `${REPO}build/js/test/lab/`;
export const TRACES = `${REPO}test/lab/traces/`;
export const BONDD = `${REPO}dist/bondd.js`;
