// Builds what the tests, the lab and the package run:
//   dist/bondd.js    the daemon and CLI, one CommonJS file (node >= 20), with dist/bond.node beside it
//   build/js/        every .ts of src/ and test/ transpiled one by one (ESM), for unit tests and the lab
// The addon itself is compiled by node-gyp (npm ci runs it through the "install" script).
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildView } from '../luci-app-bond/build.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

function tsFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'node_modules' ? [] : tsFiles(p);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [p] : [];
  });
}

mkdirSync('dist', { recursive: true });
await build({
  entryPoints: ['src/bondd.ts'],
  outfile: 'dist/bondd.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  banner: { js: '#!/usr/bin/env node\nconst __import_meta_url = require("url").pathToFileURL(__filename).href;' },
  define: { 'import.meta.url': '__import_meta_url' },
  logLevel: 'warning',
});
// the repository is ESM ("type": "module"); the bundle is CommonJS so that it also runs where
// it is installed alone (/usr/lib/bond/bondd.js, no package.json around it)
writeFileSync('dist/package.json', '{ "type": "commonjs" }\n');

rmSync('build/js', { recursive: true, force: true });
await build({
  entryPoints: [...tsFiles('src'), ...tsFiles('test'), ...tsFiles('scripts'), ...tsFiles('luci-app-bond')],
  outdir: 'build/js',
  outbase: '.',
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: 'inline',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  logLevel: 'warning',
});

// the LuCI view (luci-app-bond/htdocs/…/view/bonding/overview.js)
await buildView();

if (existsSync('build/Release/bond.node')) copyFileSync('build/Release/bond.node', 'dist/bond.node');
