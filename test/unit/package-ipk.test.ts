// `make ipk` without the SDK (scripts/ipk.mjs): builds both packages into a temporary directory,
// unpacks them and checks what opkg would read — the outer layout (a gzipped tar, which the
// opkg of OpenWrt 24.10 requires, not an ar archive), the control fields, conffiles, the
// maintainer scripts, the file list with modes and owners — and that the installed tree runs.
// It also holds the SDK Makefiles in openwrt/ to the same file list, modes and version, since
// the SDK itself cannot run here.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { repo, run, tempDir } from './package-helpers.js';

const version = JSON.parse(readFileSync(repo('package.json'), 'utf8')).version as string;
const fullVersion = `${version}-r1`;
const ARCH = 'x86_64';

let work: string;
let out: string;

function buildIpks(outdir: string, epoch = '1700000000') {
  return run([process.execPath, repo('scripts/ipk.mjs'), '--outdir', outdir, '--arch', ARCH], { env: { ...process.env, SOURCE_DATE_EPOCH: epoch } });
}

before(() => {
  work = tempDir('ipk');
  out = join(work, 'out');
  const r = buildIpks(out);
  assert.equal(r.status, 0, `scripts/ipk.mjs failed (run 'make' first?): ${r.stderr}`);
});

after(() => rmSync(work, { recursive: true, force: true }));

interface Entry {
  mode: string;
  owner: string;
  size: number;
  path: string;
}

// `tar -tv` lines: mode, owner/group, size, date, time, path.
function listing(archive: string, gz = true): Entry[] {
  const r = run(['tar', '--numeric-owner', gz ? '-tvzf' : '-tvf', archive]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [mode, owner, size, , , ...path] = line.split(/\s+/);
      return { mode: mode!, owner: owner!, size: Number(size), path: path.join(' ') };
    });
}

// Unpacks one .ipk into dir/{outer,control,data}.
function unpack(ipk: string, dir: string) {
  for (const d of ['outer', 'control', 'data']) mkdirSync(join(dir, d), { recursive: true });
  assert.equal(run(['tar', '-xzf', ipk, '-C', join(dir, 'outer')]).status, 0);
  assert.equal(run(['tar', '-xzf', join(dir, 'outer/control.tar.gz'), '-C', join(dir, 'control')]).status, 0);
  assert.equal(run(['tar', '-xzf', join(dir, 'outer/data.tar.gz'), '-C', join(dir, 'data')]).status, 0);
  return {
    outer: listing(ipk),
    control: listing(join(dir, 'outer/control.tar.gz')),
    data: listing(join(dir, 'outer/data.tar.gz')),
    fields: controlFields(readFileSync(join(dir, 'control/control'), 'utf8')),
    dir,
  };
}

function controlFields(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  let last = '';
  for (const line of text.split('\n')) {
    if (line.startsWith(' ')) fields[last] += '\n' + line.trim();
    else if (line) {
      const i = line.indexOf(':');
      last = line.slice(0, i);
      fields[last] = line.slice(i + 1).trim();
    }
  }
  return fields;
}

const bondIpk = () => join(out, `bond_${fullVersion}_${ARCH}.ipk`);
const luciIpk = () => join(out, `luci-app-bond_${fullVersion}_all.ipk`);

// The file list and modes the package must have.
const BOND_FILES: Record<string, string> = {
  './usr/lib/bond/bondd.js': '-rw-r--r--',
  './usr/lib/bond/bond.node': '-rwxr-xr-x',
  './usr/lib/bond/package.json': '-rw-r--r--',
  './usr/bin/bondd': '-rwxr-xr-x',
  './usr/libexec/bond/uninstall': '-rwxr-xr-x',
  './etc/config/bonding': '-rw-------',
  './etc/init.d/bonding': '-rwxr-xr-x',
  './etc/uci-defaults/90-bond': '-rwxr-xr-x',
  './etc/hotplug.d/iface/90-bond': '-rw-r--r--',
};

test('both packages are named <name>_<version>-r<release>_<arch>.ipk', () => {
  assert.deepEqual(readdirSync(out).sort(), [`bond_${fullVersion}_${ARCH}.ipk`, `luci-app-bond_${fullVersion}_all.ipk`]);
});

test('bond ipk: a gzipped tar of ./debian-binary, ./data.tar.gz, ./control.tar.gz (not ar)', () => {
  const bytes = readFileSync(bondIpk());
  assert.deepEqual([...bytes.subarray(0, 2)], [0x1f, 0x8b], 'gzip');
  assert.notEqual(gunzipSync(bytes).subarray(0, 7).toString(), '!<arch>');
  const p = unpack(bondIpk(), join(work, 'bond'));
  assert.deepEqual(
    p.outer.map((e) => e.path),
    ['./debian-binary', './data.tar.gz', './control.tar.gz'],
  );
  assert.equal(readFileSync(join(p.dir, 'outer/debian-binary'), 'utf8'), '2.0\n');
  for (const e of [...p.outer, ...p.control, ...p.data]) assert.equal(e.owner, '0/0', `${e.path} owned by root`);
});

test('bond ipk: control fields', () => {
  const p = unpack(bondIpk(), join(work, 'bond-control'));
  const f = p.fields;
  assert.equal(f.Package, 'bond');
  assert.equal(f.Version, fullVersion);
  assert.equal(f.Architecture, ARCH);
  assert.deepEqual(f.Depends!.split(', '), ['libc', 'node', 'kmod-tun', 'ip-full', 'nftables']);
  assert.match(f.Maintainer!, /^.+ <[^>]+@[^>]+>$/);
  assert.equal(f.License, 'GPL-2.0-only');
  assert.equal(f.Section, 'net');
  assert.match(f.Description!, /^bondd joins a router's internet links/);
  assert.match(f.Description!, /25\.12 has none, use a node feed there\.$/);
  const dataTar = gunzipSync(readFileSync(join(p.dir, 'outer/data.tar.gz')));
  assert.equal(Number(f['Installed-Size']), dataTar.length, 'Installed-Size as ipkg-build computes it');
});

test('bond ipk: conffiles, postinst and prerm (SDK wrappers plus the Makefile fragments), all sh -n clean', () => {
  const p = unpack(bondIpk(), join(work, 'bond-scripts'));
  assert.deepEqual(p.control.map((e) => [e.path, e.mode]).sort(), [
    ['./', 'drwxr-xr-x'],
    ['./conffiles', '-rw-r--r--'],
    ['./control', '-rw-r--r--'],
    ['./postinst', '-rwxr-xr-x'],
    ['./postinst-pkg', '-rwxr-xr-x'],
    ['./prerm', '-rwxr-xr-x'],
    ['./prerm-pkg', '-rwxr-xr-x'],
  ]);
  assert.equal(readFileSync(join(p.dir, 'control/conffiles'), 'utf8'), '/etc/config/bonding\n');
  assert.match(readFileSync(join(p.dir, 'control/postinst'), 'utf8'), /^default_postinst \$0 \$@$/m);
  assert.match(readFileSync(join(p.dir, 'control/prerm'), 'utf8'), /^default_prerm \$0 \$@$/m);
  for (const s of ['postinst', 'prerm', 'postinst-pkg', 'prerm-pkg']) {
    const r = run(['sh', '-n', join(p.dir, 'control', s)]);
    assert.equal(r.status, 0, `${s}: ${r.stderr}`);
  }
  const prerm = readFileSync(join(p.dir, 'control/prerm-pkg'), 'utf8');
  assert.match(prerm, /\/usr\/libexec\/bond\/uninstall/);
  assert.match(prerm, /\/etc\/init\.d\/bonding stop/);
});

test('bond ipk: maintainer fragments touch nothing in an image build or on upgrade', () => {
  const p = unpack(bondIpk(), join(work, 'bond-guards'));
  const cases: [string, NodeJS.ProcessEnv][] = [
    ['postinst-pkg', { IPKG_INSTROOT: '/build/root' }],
    ['prerm-pkg', { IPKG_INSTROOT: '/build/root' }],
    ['prerm-pkg', { IPKG_INSTROOT: '', PKG_UPGRADE: '1' }],
  ];
  for (const [script, env] of cases) {
    // -x traces every command run: none may reach the live system
    const r = run(['sh', '-x', join(p.dir, 'control', script)], { env: { PATH: process.env.PATH, ...env } });
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /\/etc\/init\.d|\/usr\/libexec/, `${script} ${JSON.stringify(env)}`);
  }
});

test('bond ipk: the file list and modes', () => {
  const p = unpack(bondIpk(), join(work, 'bond-files'));
  const files = Object.fromEntries(p.data.filter((e) => !e.mode.startsWith('d')).map((e) => [e.path, e.mode]));
  assert.deepEqual(files, BOND_FILES);
  for (const d of p.data.filter((e) => e.mode.startsWith('d'))) assert.equal(d.mode, 'drwxr-xr-x', d.path);
  for (const [path, source] of [
    ['etc/init.d/bonding', 'files/etc/init.d/bonding'],
    ['etc/config/bonding', 'files/etc/config/bonding'],
    ['usr/lib/bond/bondd.js', 'dist/bondd.js'],
  ]) {
    assert.ok(readFileSync(join(p.dir, 'data', path!)).equals(readFileSync(repo(source!))), `${path} is ${source}`);
  }
});

test('bond ipk: the installed tree runs on its own (bundle, addon, default config)', () => {
  const p = unpack(bondIpk(), join(work, 'bond-run'));
  const lib = join(p.dir, 'data/usr/lib/bond');
  // outside the checkout, so that nothing resolves into the repository
  const check = run([process.execPath, join(lib, 'bondd.js'), 'check', '--config', join(p.dir, 'data/etc/config/bonding')], { cwd: p.dir });
  assert.equal(check.status, 0, check.stderr);
  const genkey = run([process.execPath, join(lib, 'bondd.js'), 'genkey'], { cwd: p.dir });
  assert.equal(genkey.status, 0, genkey.stderr);
  assert.equal(Buffer.from(genkey.stdout.trim(), 'base64').length, 32);
  const addon = run([process.execPath, '-e', `const a = require(${JSON.stringify(join(lib, 'bond.node'))}); if (typeof a !== 'object') process.exit(1)`], { cwd: p.dir });
  assert.equal(addon.status, 0, `bond.node loads: ${addon.stderr}`);
});

test('luci-app-bond ipk: architecture all, depends on bond, installs luci-app-bond/htdocs and root', () => {
  const p = unpack(luciIpk(), join(work, 'luci'));
  assert.equal(p.fields.Package, 'luci-app-bond');
  assert.equal(p.fields.Version, fullVersion);
  assert.equal(p.fields.Architecture, 'all');
  assert.equal(p.fields.Section, 'luci');
  assert.ok(p.fields.Depends!.split(', ').includes('bond'));
  assert.ok(p.fields.Maintainer && p.fields.Description);
  for (const s of ['postinst', 'prerm', 'postinst-pkg']) assert.equal(run(['sh', '-n', join(p.dir, 'control', s)]).status, 0, s);

  const expected: string[] = [];
  const walk = (dir: string, prefix: string) => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir)) {
      const st = lstatSync(join(dir, name));
      if (st.isDirectory()) walk(join(dir, name), `${prefix}${name}/`);
      else if (st.isFile()) expected.push(`${prefix}${name}`);
    }
  };
  walk(repo('luci-app-bond/htdocs'), './www/');
  walk(repo('luci-app-bond/root'), './');
  const files = p.data.filter((e) => !e.mode.startsWith('d')).map((e) => e.path);
  assert.deepEqual(files.sort(), expected.sort());
});

test('the same input gives the same bytes (SOURCE_DATE_EPOCH, sorted, no gzip time stamps)', () => {
  const again = join(work, 'again');
  assert.equal(buildIpks(again).status, 0);
  for (const name of readdirSync(out)) assert.ok(readFileSync(join(out, name)).equals(readFileSync(join(again, name))), name);
});

// --- the SDK Makefiles against the package built here ------------------------------------------

const bondMakefile = () => readFileSync(repo('openwrt/bond/Makefile'), 'utf8');
const luciMakefile = () => readFileSync(repo('openwrt/luci-app-bond/Makefile'), 'utf8');
const define = (text: string, name: string) => new RegExp(`^define ${name.replace(/\//g, '\\/')}\\n([\\s\\S]*?)\\nendef$`, 'm').exec(text)?.[1];

test('openwrt/bond/Makefile installs the same files with the same modes as the ipk', () => {
  const install = define(bondMakefile(), 'Package/bond/install');
  assert.ok(install, 'Package/bond/install');
  const MODES: Record<string, string> = { INSTALL_BIN: '-rwxr-xr-x', INSTALL_DATA: '-rw-r--r--', INSTALL_CONF: '-rw-------' };
  const installed: Record<string, string> = {};
  for (const line of install.split('\n')) {
    const m = /^\t\$\((INSTALL_BIN|INSTALL_DATA|INSTALL_CONF)\) (.+) \$\(1\)(\/\S*)\/$/.exec(line);
    if (!m) continue;
    for (const src of m[2]!.split(/\s+/)) installed[`.${m[3]}/${src.split('/').pop()}`] = MODES[m[1]!]!;
  }
  assert.deepEqual(installed, BOND_FILES);
  // every installed file of files/ comes from the checkout's files/ under the same path
  for (const line of install.split('\n')) {
    const m = /\$\(PKG_BUILD_DIR\)\/files\/(\S+) \$\(1\)(\/\S*)\/$/.exec(line);
    if (m) assert.equal(`${m[2]}/${m[1]!.split('/').pop()}`, `/${m[1]}`);
  }
});

test('openwrt/bond/Makefile: version, dependencies, conffiles, IPKG_INSTROOT guards', () => {
  const mk = bondMakefile();
  assert.match(mk, new RegExp(`^PKG_VERSION:=${version.replace(/\./g, '\\.')}$`, 'm'), 'PKG_VERSION = package.json version');
  assert.match(mk, /^PKG_RELEASE:=1$/m);
  assert.match(mk, /^\s*DEPENDS:=\+node \+kmod-tun \+ip-full \+nftables$/m);
  assert.doesNotMatch(mk, /PKGARCH:=all/, 'the addon makes bond an arch package');
  assert.equal(define(mk, 'Package/bond/conffiles')!.trim(), '/etc/config/bonding');
  for (const script of ['postinst', 'prerm']) {
    const body = define(mk, `Package/bond/${script}`)!;
    assert.match(body, /^#!\/bin\/sh\n\[ -n "\$\$\{IPKG_INSTROOT\}" \] \|\|/, `${script} guards the live system`);
    const r = run(['sh', '-n'], { input: body.replace(/\$\$/g, '$') });
    assert.equal(r.status, 0, `${script}: ${r.stderr}`);
  }
  assert.match(mk, /^\$\(eval \$\(call BuildPackage,bond\)\)$/m);
  // every make variable the recipes use is one the SDK defines or this file does
  const own = new Set([...mk.matchAll(/^([A-Z_]+)\??:?=/gm)].map((m) => m[1]));
  const sdk = new Set(['TOPDIR', 'INCLUDE_DIR', 'CURDIR', 'PKG_BUILD_DIR', 'STAGING_DIR', 'STAGING_DIR_HOSTPKG', 'CP', 'TARGET_CC', 'TARGET_CPPFLAGS', 'TARGET_CFLAGS', 'TARGET_LDFLAGS', 'FPIC', 'INSTALL_DIR', 'INSTALL_BIN', 'INSTALL_DATA', 'INSTALL_CONF']);
  for (const [, name] of mk.matchAll(/\$\(([A-Z_]+)\)/g)) assert.ok(own.has(name!) || sdk.has(name!), `$(${name}) is defined`);
});

test('openwrt/luci-app-bond/Makefile: luci.mk, PKGARCH all, depends on bond, no minification of the bundle', () => {
  const mk = luciMakefile();
  assert.match(mk, new RegExp(`^PKG_VERSION:=${version.replace(/\./g, '\\.')}$`, 'm'));
  assert.match(mk, /^LUCI_PKGARCH:=all$/m);
  assert.match(mk, /^LUCI_DEPENDS:=.*\+bond\b/m);
  const include = mk.search(/^include \$\(BOND_LUCI_MK\)$/m);
  assert.ok(include > 0, 'includes luci.mk');
  for (const v of ['LUCI_MINIFY_JS', 'LUCI_MINIFY_CSS']) {
    const at = mk.search(new RegExp(`^${v}:=0$`, 'm'));
    assert.ok(at >= 0 && at < include, `${v}:=0 before luci.mk (it assigns with ?=)`);
  }
  assert.match(mk, /^# call BuildPackage - OpenWrt buildroot signature$/m, 'the feed scanner looks for it');
  // luci.mk copies ./htdocs and ./root of the package directory
  for (const d of ['htdocs', 'root']) assert.equal(readlinkSync(repo('openwrt/luci-app-bond', d)), `../../luci-app-bond/${d}`);
});

test('openwrt/README.md explains the feed and the SDK build', () => {
  const readme = readFileSync(repo('openwrt/README.md'), 'utf8');
  for (const s of ['feeds.conf', 'src-link', './scripts/feeds install', 'make package/bond/compile', '24.10', '25.12', 'apk']) assert.ok(readme.includes(s), s);
  assert.ok(statSync(repo('docs/install.md')).size > 0);
});
