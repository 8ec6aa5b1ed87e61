// The files the package installs on a router or VPS (files/), run here against stand-ins:
//   - uci-defaults/90-bond and /usr/libexec/bond/uninstall with a `uci` built on src/uci,
//     on a copy of a fresh router's network and firewall config;
//   - the init script under a stand-in rc.common whose procd helpers record their calls;
//   - the hotplug script with stand-in functions.sh, ubus and init script;
//   - shellcheck on every shell script (skipped, with a message, when it is not installed);
//   - the default configs with `bondd check`, and the systemd unit.
// Real procd, netifd, fw4 and libuci cannot run here: the init script is checked against the
// documented procd API (see package-helpers.ts), not against procd itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  FIREWALL,
  NETWORK,
  enabledConfig,
  has,
  readLog,
  repo,
  run,
  shells,
  tempDir,
  uci,
  uciRoot,
  writeExecutable,
  writeStubs,
  type UciRoot,
} from './package-helpers.js';

const SCRIPTS = ['etc/init.d/bonding', 'etc/hotplug.d/iface/90-bond', 'etc/uci-defaults/90-bond', 'usr/bin/bondd', 'usr/libexec/bond/uninstall'];

// --- syntax and shellcheck ---------------------------------------------------------------

test('every shell script parses (sh -n)', () => {
  for (const s of SCRIPTS) {
    const r = run(['sh', '-n', repo('files', s)]);
    assert.equal(r.status, 0, `${s}: ${r.stderr}`);
  }
});

test('shellcheck: init script, hotplug, uci-defaults, removal and wrapper are clean', (t) => {
  if (!has('shellcheck')) {
    t.skip('shellcheck is not installed (apt-get install shellcheck)');
    return;
  }
  const r = run(['shellcheck', '--format=gcc', ...SCRIPTS.map((s) => repo('files', s))]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test('the wrapper runs the installed bundle with the system node, keeping the process', () => {
  const text = readFileSync(repo('files/usr/bin/bondd'), 'utf8');
  assert.match(text, /^#!\/bin\/sh\n/);
  assert.match(text, /^exec node \/usr\/lib\/bond\/bondd\.js "\$@"$/m);
  for (const s of SCRIPTS.filter((s) => s !== 'etc/hotplug.d/iface/90-bond')) {
    assert.ok(statSync(repo('files', s)).mode & 0o100, `${s} is executable in the checkout`);
  }
});

// --- default configs -----------------------------------------------------------------------

function bonddCheck(config: string) {
  return run([process.execPath, repo('dist/bondd.js'), 'check', '--config', config, '--json']);
}

test('files/etc/config/bonding: valid, client mode, disabled, and valid once server and key are set', () => {
  const shipped = bonddCheck(repo('files/etc/config/bonding'));
  assert.equal(shipped.status, 0, shipped.stderr);
  assert.equal(shipped.stderr, '', 'no warnings either');
  const config = JSON.parse(shipped.stdout);
  assert.equal(config.mode, 'client');
  assert.equal(config.enabled, false);
  assert.equal(config.device, 'bond0');

  const dir = tempDir('config');
  try {
    const file = join(dir, 'bonding');
    writeFileSync(file, enabledConfig());
    const enabled = bonddCheck(file);
    assert.equal(enabled.status, 0, enabled.stderr);
    const c = JSON.parse(enabled.stdout);
    assert.deepEqual([c.enabled, c.server, c.links.map((l: { interface: string }) => l.interface)], [true, 'vps.example.net', ['wan']]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('files/etc/bond/bonding (the VPS config): valid, server mode, disabled', () => {
  const r = bonddCheck(repo('files/etc/bond/bonding'));
  assert.equal(r.status, 0, r.stderr);
  const config = JSON.parse(r.stdout);
  assert.deepEqual([config.mode, config.enabled, config.address, config.nat], ['server', false, '10.77.0.1/24', true]);
});

// --- uci-defaults and removal --------------------------------------------------------------

function router(prefix: string, firewall = FIREWALL): UciRoot {
  const u = uciRoot(prefix);
  writeFileSync(join(u.conf, 'network'), NETWORK);
  writeFileSync(join(u.conf, 'firewall'), firewall);
  cpSync(repo('files/etc/config/bonding'), join(u.conf, 'bonding'));
  // What `uci commit` would have written: the files in uci's own format, so that a removal can
  // be compared byte for byte with the state before the install.
  for (const pkg of ['network', 'firewall']) {
    uci(u, 'set', `${pkg}.tmp_normalize=x`);
    uci(u, 'delete', `${pkg}.tmp_normalize`);
    uci(u, 'commit', pkg);
  }
  return u;
}

// default_postinst sources uci-defaults in a subshell from their directory; `sh script` is the
// same for a script that ends with exit. Whatever the script changed must be committed: uci
// keeps uncommitted changes in /tmp/.uci, where netifd and fw4 never look.
function sourceScript(u: UciRoot, shell: string[], script: string) {
  const r = run([...shell, repo('files', script)], { env: u.env, cwd: u.dir });
  assert.deepEqual(existsSync(u.save) ? readdirSync(u.save) : [], [], `${script} left uncommitted changes`);
  return r;
}

const snapshot = (u: UciRoot) => ({
  network: readFileSync(join(u.conf, 'network'), 'utf8'),
  firewall: readFileSync(join(u.conf, 'firewall'), 'utf8'),
});

for (const shell of shells()) {
  test(`uci-defaults/90-bond (${shell.name}): interface, zone and forwarding; twice changes nothing; uninstall removes them`, () => {
    const u = router('uci-defaults');
    try {
      const before = snapshot(u);
      const first = sourceScript(u, shell.argv, 'etc/uci-defaults/90-bond');
      assert.equal(first.status, 0, first.stderr);
      assert.equal(first.stderr, '');

      assert.equal(uci(u, 'show', 'network.bond'), "network.bond=interface\nnetwork.bond.device='bond0'\nnetwork.bond.proto='none'\n");
      assert.equal(
        uci(u, 'show', 'firewall.bond'),
        [
          'firewall.bond=zone',
          "firewall.bond.name='bond'",
          "firewall.bond.network='bond'",
          "firewall.bond.input='REJECT'",
          "firewall.bond.output='ACCEPT'",
          "firewall.bond.forward='REJECT'",
          "firewall.bond.masq='1'",
          "firewall.bond.mtu_fix='1'",
          '',
        ].join('\n'),
      );
      assert.equal(uci(u, 'show', 'firewall.lan_bond'), "firewall.lan_bond=forwarding\nfirewall.lan_bond.src='lan'\nfirewall.lan_bond.dest='bond'\n");
      // the rest untouched
      const after = snapshot(u);
      assert.ok(after.network.startsWith(before.network.trimEnd()), 'network: only appended');
      assert.ok(after.firewall.startsWith(before.firewall.trimEnd()), 'firewall: only appended');

      const mtimes = ['network', 'firewall'].map((p) => statSync(join(u.conf, p)).mtimeMs);
      const second = sourceScript(u, shell.argv, 'etc/uci-defaults/90-bond');
      assert.equal(second.status, 0, second.stderr);
      assert.deepEqual(snapshot(u), after, 'a second run changes nothing');
      assert.deepEqual(['network', 'firewall'].map((p) => statSync(join(u.conf, p)).mtimeMs), mtimes, 'and commits nothing');

      const removal = sourceScript(u, shell.argv, 'usr/libexec/bond/uninstall');
      assert.equal(removal.status, 0, removal.stderr);
      assert.deepEqual(snapshot(u), before, 'uninstall restores the configs');
      const again = sourceScript(u, shell.argv, 'usr/libexec/bond/uninstall');
      assert.equal(again.status, 0, again.stderr);
      assert.deepEqual(snapshot(u), before, 'a second uninstall changes nothing');
    } finally {
      rmSync(u.dir, { recursive: true, force: true });
    }
  });
}

test('uci-defaults/90-bond: the TUN name comes from the bonding config', () => {
  const u = router('uci-device');
  try {
    uci(u, 'set', 'bonding.main.device=tun7');
    uci(u, 'commit', 'bonding');
    assert.equal(sourceScript(u, ['sh'], 'etc/uci-defaults/90-bond').status, 0);
    assert.equal(uci(u, 'get', 'network.bond.device'), 'tun7\n');
  } finally {
    rmSync(u.dir, { recursive: true, force: true });
  }
});

test("uci-defaults/90-bond: a user's own zone 'bond' is kept, not duplicated, and survives uninstall", () => {
  const own = `${FIREWALL}\nconfig zone\n\toption name 'bond'\n\tlist network 'bond'\n\toption input 'ACCEPT'\n\nconfig forwarding\n\toption src 'lan'\n\toption dest 'bond'\n`;
  const u = router('uci-own-zone', own);
  try {
    const before = snapshot(u);
    assert.equal(sourceScript(u, ['sh'], 'etc/uci-defaults/90-bond').status, 0);
    assert.equal(snapshot(u).firewall, before.firewall, 'zone and forwarding exist: firewall untouched');
    assert.match(snapshot(u).network, /config interface 'bond'/);
    assert.equal(sourceScript(u, ['sh'], 'usr/libexec/bond/uninstall').status, 0);
    assert.deepEqual(snapshot(u), before);
  } finally {
    rmSync(u.dir, { recursive: true, force: true });
  }
});

test('uci-defaults/90-bond: without a lan zone the zone is made but no forwarding', () => {
  const noLan = FIREWALL.replace(/config zone\n\toption name 'lan'[\s\S]*?\n\n/, '').replace(/config forwarding\n\toption src 'lan'\n\toption dest 'wan'\n\n/, '');
  const u = router('uci-no-lan', noLan);
  try {
    assert.equal(sourceScript(u, ['sh'], 'etc/uci-defaults/90-bond').status, 0);
    assert.equal(uci(u, 'get', 'firewall.bond.name'), 'bond\n');
    assert.equal(run(['uci', '-q', 'get', 'firewall.lan_bond'], { env: u.env }).status, 1);
  } finally {
    rmSync(u.dir, { recursive: true, force: true });
  }
});

// --- the init script under procd stand-ins -------------------------------------------------

interface InitRun {
  code: number | null;
  stdout: string;
  stderr: string;
  calls: string[][];
}

// Runs `/etc/init.d/bonding ACTION` as rc.common would. With `bondd`, the script's PROG is
// pointed at that stand-in (the real /usr/bin/bondd is not here).
function initScript(action: string, opts: { config: string; running?: boolean; legacy?: boolean; bondd?: string; shell?: string[] }): InitRun {
  const u = uciRoot('init');
  try {
    writeFileSync(join(u.conf, 'bonding'), opts.config);
    const stubs = writeStubs(join(u.dir, 'stubs'));
    let script = repo('files/etc/init.d/bonding');
    if (opts.bondd) {
      const bondd = join(u.dir, 'bondd');
      writeExecutable(bondd, opts.bondd);
      script = join(u.dir, 'bonding');
      writeFileSync(script, readFileSync(repo('files/etc/init.d/bonding'), 'utf8').replace(/^PROG=\/usr\/bin\/bondd$/m, `PROG=${bondd}`));
    }
    const env = { ...u.env, STUB_DIR: stubs.dir, STUB_LOG: stubs.log, STUB_RUNNING: opts.running ? '1' : '0', STUB_LEGACY: opts.legacy ? '1' : '0', BONDD_LOG: join(u.dir, 'bondd.log') };
    const r = run([...(opts.shell ?? ['sh']), join(stubs.dir, 'rc.common'), script, action], { env });
    const bonddCalls = existsSync(env.BONDD_LOG) ? readFileSync(env.BONDD_LOG, 'utf8').split('\n').filter(Boolean).map((l) => ['bondd', ...l.split(' ')]) : [];
    return { code: r.status, stdout: r.stdout, stderr: r.stderr, calls: [...readLog(stubs.log), ...bonddCalls] };
  } finally {
    rmSync(u.dir, { recursive: true, force: true });
  }
}

const shipped = () => readFileSync(repo('files/etc/config/bonding'), 'utf8');
const names = (calls: string[][]) => calls.map((c) => c[0]);

for (const shell of shells()) {
  test(`init start (${shell.name}): one instance running /usr/bin/bondd with respawn, syslog and the reload trigger`, () => {
    const r = initScript('start', { config: enabledConfig(), shell: shell.argv });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.deepEqual(r.calls, [
      ['procd_open_service', 'bonding', repo('files/etc/init.d/bonding')],
      ['procd_open_instance'],
      ['procd_set_param', 'command', '/usr/bin/bondd', '--config', '/etc/config/bonding'],
      ['procd_set_param', 'respawn', '3600', '5', '5'],
      ['procd_set_param', 'stdout', '1'],
      ['procd_set_param', 'stderr', '1'],
      ['procd_set_param', 'file', '/usr/lib/bond/bondd.js', '/usr/lib/bond/bond.node'],
      ['procd_set_param', 'term_timeout', '10'],
      ['procd_close_instance'],
      ['procd_add_reload_trigger', 'bonding'],
      ['procd_close_service', 'set'],
    ]);
  });
}

test('init start with the shipped config (enabled 0): no instance, so procd stops a running one; triggers stay', () => {
  const r = initScript('start', { config: shipped() });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(names(r.calls), ['procd_open_service', 'procd_add_reload_trigger', 'procd_close_service']);
});

test('init start without any bonding section: nothing to run', () => {
  const r = initScript('start', { config: "config link 'wan'\n\toption interface 'wan'\n" });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!names(r.calls).includes('procd_open_instance'));
});

test('init reload: SIGHUP through procd when bondd runs and is enabled', () => {
  const r = initScript('reload', { config: enabledConfig(), running: true });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.calls, [
    ['procd_running', 'bonding'],
    ['procd_send_signal', 'bonding', '*', 'HUP'],
  ]);
});

test('init reload: starts bondd when it is not running (no signal to a process without a handler yet)', () => {
  const r = initScript('reload', { config: enabledConfig(), running: false });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!names(r.calls).includes('procd_send_signal'));
  assert.ok(names(r.calls).includes('procd_open_instance'));
});

test('init reload after `enabled 0`: the definition is re-sent without an instance (procd stops bondd)', () => {
  const r = initScript('reload', { config: shipped(), running: true });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(names(r.calls), ['procd_open_service', 'procd_add_reload_trigger', 'procd_close_service']);
});

const RECORDING_BONDD = (code: number, output: string) => `#!/bin/sh\necho "$*" >> "$BONDD_LOG"\nprintf '%s\\n' '${output}'\nexit ${code}\n`;

test('init status: prints `bondd status` (the human table)', () => {
  const r = initScript('status', { config: enabledConfig(), bondd: RECORDING_BONDD(0, 'TABLE') });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'TABLE\n');
  assert.deepEqual(r.calls, [['bondd', 'status']]);
});

test("init status: falls back to procd's generic status when bondd does not answer", () => {
  const r = initScript('status', { config: enabledConfig(), bondd: RECORDING_BONDD(1, 'bondd status: no daemon') });
  assert.equal(r.code, 5);
  assert.equal(r.stdout, 'bondd status: no daemon\nnot running\n');
  assert.deepEqual(r.calls, [['_procd_status', 'bonding'], ['bondd', 'status']]);
});

test('the init script leaves `status` to rc.common (status_service) and adds `check`', () => {
  const text = readFileSync(repo('files/etc/init.d/bonding'), 'utf8');
  assert.match(text, /^#!\/bin\/sh \/etc\/rc\.common$/m);
  assert.match(text, /^USE_PROCD=1$/m);
  assert.match(text, /^START=\d+$/m);
  assert.match(text, /^STOP=\d+$/m);
  assert.doesNotMatch(text, /^status\s*\(\)/m, 'a status() would be replaced by rc.common');
  assert.doesNotMatch(text, /extra_command\s+"?status/, 'rc.common already has status');
  assert.match(text, /^status_service\s*\(\)/m);
  assert.match(text, /^reload_service\s*\(\)/m);

  for (const legacy of [false, true]) {
    const r = initScript('check', { config: enabledConfig(), bondd: RECORDING_BONDD(0, ''), legacy });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.calls, [['bondd', 'check', '--config', '/etc/config/bonding']], legacy ? 'EXTRA_COMMANDS' : 'extra_command');
  }
});

// --- hotplug -------------------------------------------------------------------------------

// Sources the script after functions.sh, as procd's hotplug dispatcher does, with a ubus whose
// `list bonding` answers per `ubus`, and the init script replaced by a recorder.
function hotplug(env: Record<string, string>, opts: { config: string; ubus: boolean }) {
  const u = uciRoot('hotplug');
  try {
    writeFileSync(join(u.conf, 'bonding'), opts.config);
    const stubs = writeStubs(join(u.dir, 'stubs'));
    const log = join(u.dir, 'calls');
    writeExecutable(join(u.bin, 'ubus'), `#!/bin/sh\necho "ubus $*" >> '${log}'\n${opts.ubus ? 'echo bonding' : 'exit 4'}\n`);
    writeExecutable(join(u.dir, 'init'), `#!/bin/sh\necho "init $*" >> '${log}'\n`);
    const script = join(u.dir, '90-bond');
    writeFileSync(script, readFileSync(repo('files/etc/hotplug.d/iface/90-bond'), 'utf8').replaceAll('/etc/init.d/bonding', join(u.dir, 'init')));
    const r = run(['sh', '-c', `. '${stubs.dir}/functions.sh'\n. '${script}'`], { env: { ...u.env, ...env } });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
  } finally {
    rmSync(u.dir, { recursive: true, force: true });
  }
}

test('hotplug: a WAN of a link going up or down reloads bondd when it has no ubus object', () => {
  for (const ACTION of ['ifup', 'ifdown']) {
    assert.deepEqual(hotplug({ ACTION, INTERFACE: 'wan' }, { config: enabledConfig(), ubus: false }), ['ubus -S list bonding', 'init reload']);
  }
  assert.deepEqual(hotplug({ ACTION: 'ifupdate', INTERFACE: 'wan', IFUPDATE_ADDRESSES: '1' }, { config: enabledConfig(), ubus: false }), [
    'ubus -S list bonding',
    'init reload',
  ]);
  assert.deepEqual(hotplug({ ACTION: 'ifupdate', INTERFACE: 'wan', IFUPDATE_ROUTES: '1' }, { config: enabledConfig(), ubus: false }), [
    'ubus -S list bonding',
    'init reload',
  ]);
});

test('hotplug: nothing while bondd follows netifd over ubus itself', () => {
  assert.deepEqual(hotplug({ ACTION: 'ifup', INTERFACE: 'wan' }, { config: enabledConfig(), ubus: true }), ['ubus -S list bonding']);
});

test('hotplug: other interfaces, other actions, data-only updates, disabled configs and links cost nothing', () => {
  const quiet = (env: Record<string, string>, config = enabledConfig()) => assert.deepEqual(hotplug(env, { config, ubus: false }), [], JSON.stringify(env));
  quiet({ ACTION: 'ifup', INTERFACE: 'lan' });
  quiet({ ACTION: 'connected', INTERFACE: 'wan' }); // mwan3track
  quiet({ ACTION: 'ifup-failed', INTERFACE: 'wan' });
  quiet({ ACTION: 'ifupdate', INTERFACE: 'wan', IFUPDATE_DATA: '1', IFUPDATE_PREFIXES: '1' });
  quiet({ ACTION: 'ifup', INTERFACE: 'wan' }, shipped());
  quiet({ ACTION: 'ifup', INTERFACE: 'wan' }, enabledConfig().replace("option interface 'wan'", "option interface 'wan'\n\toption enabled '0'"));
});

// --- systemd unit and make install-server -------------------------------------------------

test('systemd unit: node + the installed bundle, HUP reload, restart on failure, network-online', (t) => {
  const unit = readFileSync(repo('files/etc/systemd/system/bondd.service'), 'utf8');
  const get = (key: string) => unit.split('\n').filter((l) => l.startsWith(`${key}=`)).map((l) => l.slice(key.length + 1));
  assert.deepEqual(get('ExecStart'), ['/usr/bin/node /usr/local/lib/bond/bondd.js --config /etc/bond/bonding']);
  assert.deepEqual(get('ExecReload'), ['/bin/kill -HUP $MAINPID']);
  assert.deepEqual(get('Restart'), ['on-failure']);
  assert.deepEqual(get('After'), ['network-online.target']);
  assert.deepEqual(get('Wants'), ['network-online.target']);
  assert.match(get('CapabilityBoundingSet')[0] ?? '', /CAP_NET_ADMIN/);
  assert.deepEqual(get('WantedBy'), ['multi-user.target']);
  if (!has('systemd-analyze')) {
    t.diagnostic('systemd-analyze is not installed: unit syntax not verified');
    return;
  }
  const r = run(['systemd-analyze', 'verify', repo('files/etc/systemd/system/bondd.service')]);
  assert.equal(r.status, 0, r.stderr);
});

test('make install-server puts a runnable bondd, the unit and a config under DESTDIR', (t) => {
  if (!has('make')) {
    t.skip('make is not installed');
    return;
  }
  const dest = tempDir('install-server');
  try {
    // -o build: the tests run on the build the test runner made; rebuilding here would pull
    // build/js away from tests running in parallel
    const r = run(['make', '-s', '-o', 'build', '-o', 'node_modules/.package-lock.json', 'install-server', `DESTDIR=${dest}`, 'PREFIX=/opt/bond'], { cwd: repo() });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(statSync(join(dest, 'etc/bond/bonding')).mode & 0o777, 0o600);
    assert.match(readFileSync(join(dest, 'opt/bond/bin/bondd'), 'utf8'), /^exec node \/opt\/bond\/lib\/bond\/bondd\.js "\$@"$/m);
    assert.match(readFileSync(join(dest, 'etc/systemd/system/bondd.service'), 'utf8'), /^ExecStart=\/usr\/bin\/node \/opt\/bond\/lib\/bond\/bondd\.js --config \/etc\/bond\/bonding$/m);
    const check = run([process.execPath, join(dest, 'opt/bond/lib/bond/bondd.js'), 'check', '--config', join(dest, 'etc/bond/bonding')], { cwd: dest });
    assert.equal(check.status, 0, check.stderr);

    // a second install keeps the config
    writeFileSync(join(dest, 'etc/bond/bonding'), '# mine\n' + readFileSync(join(dest, 'etc/bond/bonding'), 'utf8'));
    assert.equal(run(['make', '-s', '-o', 'build', '-o', 'node_modules/.package-lock.json', 'install-server', `DESTDIR=${dest}`, 'PREFIX=/opt/bond'], { cwd: repo() }).status, 0);
    assert.match(readFileSync(join(dest, 'etc/bond/bonding'), 'utf8'), /^# mine\n/);
  } finally {
    rmSync(dest, { recursive: true, force: true });
  }
});
