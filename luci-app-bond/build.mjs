// Builds the LuCI view from the Preact sources in src/: one file,
//   htdocs/luci-static/resources/view/bonding/overview.js
// which LuCI's loader (luci.js L.require) fetches, scans for its leading 'require …' strings,
// and evaluates as the body of function(window, document, L, view, rpc, poll, uci, ui). So
// the file is an IIFE (no import/export at top level) between a banner holding those strings
// and a footer that returns the view class. The bundle never reads the loader's parameters
// itself: the footer hands them to create(), so the code is plain modules that tests can load.
//
// The output is not committed: scripts/build.mjs (run by make, npm ci, npm run build and
// npm test) makes it, and both the SDK build (openwrt/luci-app-bond, after `make`) and
// scripts/ipk.mjs package what it made.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const VIEW_FILE = join(here, 'htdocs/luci-static/resources/view/bonding/overview.js');

// The loader only looks at quoted strings before the first other string: no quote characters
// may appear in the banner except in these statements.
const MODULES = ['view', 'rpc', 'poll', 'uci', 'ui'];
const banner = ["'use strict';", ...MODULES.map((m) => `'require ${m}';`)].join('\n');
const footer = `return BondView.create({ L: L, view: view, rpc: rpc, poll: poll, uci: uci, ui: ui, E: window.E, _: window._ });`;

// src/config and src/uci run in the browser too (the form validates with the same code as
// `bondd check`). The few node built-ins they import are only used on paths the page never
// takes (reading files) or are small enough to stand in for: see src/shims/.
const nodeShims = {
  name: 'node-shims',
  setup(b) {
    b.onResolve({ filter: /^node:(fs|path|crypto)$/ }, (args) => ({ path: join(here, `src/shims/${args.path.slice(5)}.ts`) }));
  },
};

export async function buildView({ outfile = VIEW_FILE, minify = true } = {}) {
  await build({
    entryPoints: [join(here, 'src/main.tsx')],
    outfile,
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: 'BondView',
    target: 'es2020', // BigInt (src/config/ip.ts) sets the floor anyway
    jsx: 'automatic',
    jsxImportSource: 'preact',
    loader: { '.css': 'text' },
    inject: [join(here, 'src/shims/buffer-global.ts')],
    plugins: [nodeShims],
    banner: { js: banner },
    footer: { js: footer },
    // identifiers stay readable: stack traces on a router are read by people, and the
    // _('…') calls stay visible to LuCI's string scanner
    minifyWhitespace: minify,
    minifySyntax: minify,
    charset: 'utf8',
    legalComments: 'none',
    logLevel: 'warning',
  });
  return outfile;
}
