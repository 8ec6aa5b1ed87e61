// `make ipk`: builds dist/bond_<version>_<arch>.ipk and dist/luci-app-bond_<version>_all.ipk on
// this machine, without the OpenWrt SDK, in the layout OpenWrt's ipkg-build produces and the
// opkg of 24.10 reads: a gzipped tar (not Debian's ar) of ./debian-binary, ./data.tar.gz and
// ./control.tar.gz, files owned by root, installed size = the uncompressed data tar.
//
// What the packages say (version, dependencies, description, conffiles, maintainer scripts)
// comes from the SDK Makefiles in openwrt/, so that both builds agree. The addon is the one
// node-gyp built here, i.e. for this machine's CPU and C library: OpenWrt's musl needs the SDK
// build (openwrt/README.md).
//
//   node scripts/ipk.mjs [--outdir DIR] [--arch ARCH]
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { machine, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// `uname -m` → the package architecture opkg compares with its `arch` lines. x86_64 is exact;
// ARM and 32-bit x86 names depend on the OpenWrt target, so pass --arch for those boards.
const ARCHES = {
  x86_64: 'x86_64',
  aarch64: 'aarch64_generic',
  arm64: 'aarch64_generic',
  armv7l: 'arm_cortex-a7_neon-vfpv4',
  i686: 'i386_pentium4',
  i386: 'i386_pentium4',
};

// --- the SDK Makefiles -------------------------------------------------------------------

// Top-level `NAME:=value` / `?=` / `=` assignments and `define NAME … endef` blocks: all that
// this needs from a package Makefile.
export function parseMakefile(text) {
  const vars = {};
  const defines = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const def = /^define\s+(\S+)\s*$/.exec(line);
    if (def) {
      const body = [];
      for (i++; i < lines.length && !/^endef\s*$/.test(lines[i]); i++) body.push(lines[i]);
      defines[def[1]] = body.join('\n');
      continue;
    }
    const assign = /^([A-Za-z_][A-Za-z0-9_]*)\s*(?::|\?)?=\s*(.*)$/.exec(line);
    if (assign) vars[assign[1]] = assign[2].trim();
  }
  return { vars, defines };
}

// Inside a define, make turns `$$` into `$`; scripts are written with `$$` for the shell.
const unescapeMake = (s) => s.replace(/\$\$/g, '$');

// `KEY:=value` lines of a Package/<name> block.
function packageFields(body) {
  const fields = {};
  for (const line of body.split('\n')) {
    const m = /^\s*([A-Z_]+)\s*:?=\s*(.*)$/.exec(line);
    if (m) fields[m[1]] = m[2].trim();
  }
  return fields;
}

// DEPENDS → the control file's Depends. Every non-`all` SDK package depends on libc as well;
// `@CONFIG` conditions are build-time only.
function depends(list) {
  const names = list.split(/\s+/).filter((d) => d && !d.startsWith('@')).map((d) => d.replace(/^\+/, ''));
  return ['libc', ...names].join(', ');
}

function readMakefile(path) {
  return parseMakefile(readFileSync(join(root, path), 'utf8'));
}

// --- archives ------------------------------------------------------------------------------

function sourceDateEpoch() {
  if (process.env.SOURCE_DATE_EPOCH) return process.env.SOURCE_DATE_EPOCH;
  const git = spawnSync('git', ['log', '-1', '--format=%ct'], { cwd: root, encoding: 'utf8' });
  return git.status === 0 && git.stdout.trim() ? git.stdout.trim() : String(Math.floor(Date.now() / 1000));
}

// ipkg-build's tar options: GNU format, sorted, numeric root ownership, one fixed time.
function tarGz(cwd, members, epoch) {
  const r = spawnSync('tar', ['--format=gnu', '--numeric-owner', '--owner=0', '--group=0', '--sort=name', `--mtime=@${epoch}`, '-cf', '-', ...members], {
    cwd,
    maxBuffer: 1 << 30,
  });
  if (r.status !== 0) throw new Error(`tar failed in ${cwd}: ${r.stderr?.toString() ?? r.error}`);
  return { tar: r.stdout, gz: gzipSync(r.stdout, { level: 9 }) };
}

// Stages files under `dir` with exact modes; directories are 0755 whatever the umask.
function stage(dir, files) {
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  for (const f of files) {
    const target = join(dir, f.path);
    const parts = relative(dir, dirname(target)).split('/').filter(Boolean);
    let d = dir;
    for (const p of parts) {
      d = join(d, p);
      if (!existsSync(d)) mkdirSync(d);
      chmodSync(d, 0o755);
    }
    if (f.from) copyFileSync(f.from, target);
    else writeFileSync(target, f.text);
    chmodSync(target, f.mode);
  }
}

function controlText(fields, description) {
  const lines = Object.entries(fields)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}: ${v}`);
  const [first = '', ...rest] = description
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return [...lines, `Description: ${first}`, ...rest.map((l) => ` ${l}`)].join('\n') + '\n';
}

// The postinst and prerm every SDK package gets (include/package-pack.mk); they run
// default_postinst / default_prerm, which source the package's own <pkg>.postinst-pkg and
// <pkg>.prerm-pkg from opkg's info directory.
const POSTINST = '#!/bin/sh\n[ "${IPKG_NO_SCRIPT}" = "1" ] && exit 0\n[ -s ${IPKG_INSTROOT}/lib/functions.sh ] || exit 0\n. ${IPKG_INSTROOT}/lib/functions.sh\ndefault_postinst $0 $@\n';
const PRERM = '#!/bin/sh\n[ -s ${IPKG_INSTROOT}/lib/functions.sh ] || exit 0\n. ${IPKG_INSTROOT}/lib/functions.sh\ndefault_prerm $0 $@\n';

function buildIpk({ name, version, arch, control, description, conffiles, scripts, files, outdir, epoch }) {
  const work = mkdtempSync(join(tmpdir(), `ipk-${name}-`));
  try {
    const data = join(work, 'data');
    stage(data, files);
    const dataTar = tarGz(data, ['.'], epoch);

    const ctl = join(work, 'control');
    const controlFiles = [];
    for (const [script, text] of Object.entries(scripts)) controlFiles.push({ path: script, text, mode: 0o755 });
    if (conffiles.length) controlFiles.push({ path: 'conffiles', text: conffiles.join('\n') + '\n', mode: 0o644 });
    const fields = { Package: name, Version: version, ...control, Architecture: arch, 'Installed-Size': String(dataTar.tar.length) };
    controlFiles.push({ path: 'control', text: controlText(fields, description), mode: 0o644 });
    stage(ctl, controlFiles);
    const controlTar = tarGz(ctl, ['.'], epoch);

    const outer = join(work, 'outer');
    mkdirSync(outer);
    writeFileSync(join(outer, 'debian-binary'), '2.0\n');
    writeFileSync(join(outer, 'data.tar.gz'), dataTar.gz);
    writeFileSync(join(outer, 'control.tar.gz'), controlTar.gz);
    for (const f of ['debian-binary', 'data.tar.gz', 'control.tar.gz']) chmodSync(join(outer, f), 0o644);
    const ipk = tarGz(outer, ['./debian-binary', './data.tar.gz', './control.tar.gz'], epoch);

    mkdirSync(outdir, { recursive: true });
    const file = join(outdir, `${name}_${version}_${arch}.ipk`);
    writeFileSync(file, ipk.gz);
    const installed = files.reduce((n, f) => n + (f.from ? statSync(f.from).size : Buffer.byteLength(f.text)), 0);
    return { file, installedBytes: installed };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

// --- the two packages ----------------------------------------------------------------------

function need(path, hint) {
  const p = join(root, path);
  if (!existsSync(p)) throw new Error(`${path} is missing: ${hint}`);
  return p;
}

function bondPackage(common) {
  const mk = readMakefile('openwrt/bond/Makefile');
  const pkg = packageFields(mk.defines['Package/bond']);
  const addon = ['dist/bond.node', 'build/Release/bond.node'].map((p) => join(root, p)).find((p) => existsSync(p));
  if (!addon) throw new Error("the addon (dist/bond.node) is missing: run 'make' first");
  const build = "run 'make' first";
  // The same list as Package/bond/install in openwrt/bond/Makefile (a test compares them).
  const files = [
    { path: 'usr/lib/bond/bondd.js', from: need('dist/bondd.js', build), mode: 0o644 },
    { path: 'usr/lib/bond/package.json', from: need('dist/package.json', build), mode: 0o644 },
    { path: 'usr/lib/bond/bond.node', from: addon, mode: 0o755 },
    { path: 'usr/bin/bondd', from: need('files/usr/bin/bondd', ''), mode: 0o755 },
    { path: 'usr/libexec/bond/uninstall', from: need('files/usr/libexec/bond/uninstall', ''), mode: 0o755 },
    // INSTALL_CONF: the file holds the tunnel key
    { path: 'etc/config/bonding', from: need('files/etc/config/bonding', ''), mode: 0o600 },
    { path: 'etc/init.d/bonding', from: need('files/etc/init.d/bonding', ''), mode: 0o755 },
    { path: 'etc/uci-defaults/90-bond', from: need('files/etc/uci-defaults/90-bond', ''), mode: 0o755 },
    { path: 'etc/hotplug.d/iface/90-bond', from: need('files/etc/hotplug.d/iface/90-bond', ''), mode: 0o644 },
  ];
  const scripts = { postinst: POSTINST, prerm: PRERM };
  if (mk.defines['Package/bond/postinst']) scripts['postinst-pkg'] = unescapeMake(mk.defines['Package/bond/postinst']) + '\n';
  if (mk.defines['Package/bond/prerm']) scripts['prerm-pkg'] = unescapeMake(mk.defines['Package/bond/prerm']) + '\n';
  return buildIpk({
    ...common,
    name: mk.vars.PKG_NAME,
    version: checkVersion(mk, 'openwrt/bond/Makefile', common.npmVersion),
    control: {
      Depends: depends(pkg.DEPENDS ?? ''),
      SourceName: mk.vars.PKG_NAME,
      License: mk.vars.PKG_LICENSE,
      Section: pkg.SECTION,
      Maintainer: mk.vars.PKG_MAINTAINER,
    },
    description: mk.defines['Package/bond/description'] ?? pkg.TITLE,
    conffiles: (mk.defines['Package/bond/conffiles'] ?? '').split('\n').map((l) => l.trim()).filter(Boolean),
    scripts,
    files,
  });
}

// luci.mk copies htdocs/ to /www and root/ to /, keeping modes (cp -pR).
function treeFiles(dir, prefix) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    const st = lstatSync(p);
    if (st.isDirectory()) return treeFiles(p, join(prefix, name));
    if (!st.isFile()) return [];
    return [{ path: join(prefix, name), from: p, mode: st.mode & 0o111 ? 0o755 : 0o644 }];
  });
}

// What luci.mk's postinst does on a live router: forget LuCI's menu and module caches and make
// rpcd read the new ACL. Its uci-defaults, if any, run from default_postinst.
const LUCI_POSTINST = '#!/bin/sh\n[ -n "${IPKG_INSTROOT}" ] || {\n\trm -f /tmp/luci-indexcache*\n\trm -rf /tmp/luci-modulecache/\n\tkillall -HUP rpcd 2>/dev/null\n\texit 0\n}\n';

function luciPackage(common) {
  const mk = readMakefile('openwrt/luci-app-bond/Makefile');
  const files = [...treeFiles(join(root, 'luci-app-bond/htdocs'), 'www'), ...treeFiles(join(root, 'luci-app-bond/root'), '')];
  if (files.length === 0) process.stderr.write('ipk: luci-app-bond/ has no htdocs/ or root/ yet: luci-app-bond installs no files\n');
  return buildIpk({
    ...common,
    name: mk.vars.PKG_NAME,
    version: checkVersion(mk, 'openwrt/luci-app-bond/Makefile', common.npmVersion),
    arch: mk.vars.LUCI_PKGARCH ?? 'all',
    control: {
      Depends: depends(mk.vars.LUCI_DEPENDS ?? ''),
      SourceName: mk.vars.PKG_NAME,
      License: mk.vars.PKG_LICENSE,
      Section: 'luci',
      Maintainer: mk.vars.PKG_MAINTAINER,
    },
    description: mk.vars.LUCI_DESCRIPTION || mk.vars.LUCI_TITLE,
    conffiles: [],
    scripts: { postinst: POSTINST, prerm: PRERM, 'postinst-pkg': LUCI_POSTINST },
    files,
  });
}

// package.json is the version's source; the Makefiles must carry the same one.
function checkVersion(mk, path, npmVersion) {
  if (mk.vars.PKG_VERSION !== npmVersion) throw new Error(`${path}: PKG_VERSION ${mk.vars.PKG_VERSION} differs from package.json's ${npmVersion}`);
  return `${npmVersion}-r${mk.vars.PKG_RELEASE ?? '1'}`;
}

function main() {
  const { values } = parseArgs({ options: { outdir: { type: 'string' }, arch: { type: 'string' } } });
  const npmVersion = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
  const arch = values.arch ?? ARCHES[machine()] ?? machine();
  const common = { npmVersion, arch, outdir: values.outdir ?? join(root, 'dist'), epoch: sourceDateEpoch() };
  for (const build of [bondPackage, luciPackage]) {
    const { file, installedBytes } = build(common);
    console.log(`${relative(process.cwd(), file) || file}  (${installedBytes} bytes installed)`);
  }
}

if (process.argv[1] && realpathSync(fileURLToPath(import.meta.url)) === realpathSync(process.argv[1])) {
  try {
    main();
  } catch (err) {
    process.stderr.write(`ipk: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
