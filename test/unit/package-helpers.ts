// Helpers for the package tests: the repository, a `uci` on PATH (uci-cli.ts), shells, and
// stand-ins for OpenWrt's /lib/functions.sh and /etc/rc.common with procd.
//
// Real procd, rc.common and libuci cannot run here. The stand-ins implement the documented
// interfaces the package's scripts use (openwrt-platform notes §3 and §4.4; rc.common and
// procd.sh of openwrt/openwrt main): config_load reads `uci export` output as shell commands,
// as libuci's uci_load does; rc.common sources the init script and dispatches the action with
// procd's start/stop/reload/status wrappers; procd_* calls are recorded in a log instead of
// being sent to ubus. So the tests check the scripts against that API, not against procd.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildSync } from 'esbuild';
import { REPO } from '../lab/paths.js';

export const repo = (...p: string[]) => join(REPO, ...p);

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `bond-${prefix}-`));
}

export function has(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

// POSIX sh (dash here) always; BusyBox ash, OpenWrt's shell, as well when it is installed.
export function shells(): { name: string; argv: string[] }[] {
  const list = [{ name: 'sh', argv: ['sh'] }];
  if (has('busybox')) list.push({ name: 'busybox ash', argv: ['busybox', 'sh'] });
  return list;
}

export function writeExecutable(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  chmodSync(path, 0o755);
}

// A directory with `uci` (the stand-in, on conf/ with staging in save/) to put first on PATH.
export interface UciRoot {
  dir: string;
  bin: string;
  conf: string;
  save: string;
  env: NodeJS.ProcessEnv;
}

// One file with the stand-in and src/uci, private to this test process: build/js is deleted and
// rewritten by every `node scripts/build.mjs`, which may run while the tests do.
let uciCli: string | undefined;
function uciCliBundle(): string {
  if (!uciCli) {
    const dir = tempDir('uci-cli');
    const file = join(dir, 'uci-cli.mjs');
    buildSync({ entryPoints: [repo('test/unit/uci-cli.ts')], outfile: file, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning' });
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    uciCli = file;
  }
  return uciCli;
}

export function uciRoot(prefix: string): UciRoot {
  const dir = tempDir(prefix);
  const r = { dir, bin: join(dir, 'bin'), conf: join(dir, 'conf'), save: join(dir, 'save') };
  mkdirSync(r.conf, { recursive: true });
  const cli = uciCliBundle();
  writeExecutable(join(r.bin, 'uci'), `#!/bin/sh\nexec '${process.execPath}' '${cli}' -c '${r.conf}' -P '${r.save}' "$@"\n`);
  return { ...r, env: { ...process.env, PATH: `${r.bin}:${process.env.PATH}` } };
}

export function run(argv: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {}): SpawnSyncReturns<string> {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', ...opts });
  if (r.error) throw r.error;
  return r;
}

export function uci(u: UciRoot, ...args: string[]): string {
  const r = run(['uci', ...args], { env: u.env });
  if (r.status !== 0) throw new Error(`uci ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

// A router's network and firewall as OpenWrt 24.10 sets them up on first boot (trimmed).
export const NETWORK = `
config interface 'loopback'
	option device 'lo'
	option proto 'static'
	option ipaddr '127.0.0.1'
	option netmask '255.0.0.0'

config globals 'globals'
	option ula_prefix 'fd12:3456:789a::/48'

config device
	option name 'br-lan'
	option type 'bridge'
	list ports 'lan1'
	list ports 'lan2'

config interface 'lan'
	option device 'br-lan'
	option proto 'static'
	option ipaddr '192.168.1.1'
	option netmask '255.255.255.0'

config interface 'wan'
	option device 'wan'
	option proto 'dhcp'

config interface 'wan6'
	option device 'wan'
	option proto 'dhcpv6'
`;

export const FIREWALL = `
config defaults
	option syn_flood '1'
	option input 'REJECT'
	option output 'ACCEPT'
	option forward 'REJECT'

config zone
	option name 'lan'
	list network 'lan'
	option input 'ACCEPT'
	option output 'ACCEPT'
	option forward 'ACCEPT'

config zone
	option name 'wan'
	list network 'wan'
	list network 'wan6'
	option input 'REJECT'
	option output 'ACCEPT'
	option forward 'REJECT'
	option masq '1'
	option mtu_fix '1'

config forwarding
	option src 'lan'
	option dest 'wan'

config rule
	option name 'Allow-DHCP-Renew'
	option src 'wan'
	option proto 'udp'
	option dest_port '68'
	option target 'ACCEPT'
	option family 'ipv4'
`;

export const KEY = 'qXbDc4zaZBU1qY2yIjwX0ufCu4i4cxKDs2JzaYiLGzQ=';

// The shipped default with a server, a key and `enabled 1`: what a user makes of it.
export function enabledConfig(): string {
  return readFileSync(repo('files/etc/config/bonding'), 'utf8')
    .replace("option enabled '0'", "option enabled '1'")
    .replace("#option server 'vps.example.net'", "option server 'vps.example.net'")
    .replace("#option key ''", `option key '${KEY}'`);
}

// --- /lib/functions.sh and /etc/rc.common stand-ins -----------------------------------------

// The part of functions.sh that the scripts use. `uci export` prints `package`, `config`,
// `option` and `list` commands; evaluating them with these definitions fills CONFIG_* variables
// as libuci's uci_load does.
export const FUNCTIONS_SH = `# stand-in for /lib/functions.sh (tests only)
package() { :; }
config() {
	CONFIG_NUM_SECTIONS=$((CONFIG_NUM_SECTIONS + 1))
	CONFIG_SECTION="\${2:-cfg$CONFIG_NUM_SECTIONS}"
	CONFIG_SECTIONS="$CONFIG_SECTIONS $CONFIG_SECTION"
	eval "CONFIG_\${CONFIG_SECTION}_TYPE=\\$1"
}
option() { eval "CONFIG_\${CONFIG_SECTION}_$1=\\$2"; }
list() {
	eval "_v=\\\${CONFIG_\${CONFIG_SECTION}_$1}"
	eval "CONFIG_\${CONFIG_SECTION}_$1=\\"\\\${_v:+\\$_v }\\$2\\""
}
config_load() {
	CONFIG_SECTIONS=
	CONFIG_NUM_SECTIONS=0
	eval "$(uci -q export "$1")"
}
config_get() {
	if [ $# -eq 2 ]; then eval "echo \\"\\\${CONFIG_$1_$2}\\""; return; fi
	eval "$1=\\"\\\${CONFIG_$2_$3:-\\$4}\\""
}
get_bool() {
	case "$1" in
		1|on|true|yes|enabled) echo 1 ;;
		0|off|false|no|disabled) echo 0 ;;
		*) echo "$2" ;;
	esac
}
config_get_bool() {
	local _tmp
	config_get _tmp "$2" "$3" "$4"
	eval "$1=\\$(get_bool \\"\\$_tmp\\" \\"\\$4\\")"
}
config_foreach() {
	local _fn="$1" _type="$2" _s _t
	shift; [ $# -gt 0 ] && shift
	for _s in $CONFIG_SECTIONS; do
		eval "_t=\\\${CONFIG_\${_s}_TYPE}"
		[ -n "$_type" ] && [ "$_t" != "$_type" ] && continue
		"$_fn" "$_s" "$@"
	done
}
list_contains() {
	eval "_l=\\" \\\${$1} \\""
	case "$_l" in *" $2 "*) return 0 ;; esac
	return 1
}
`;

// rc.common as of OpenWrt 24.10/25.12, reduced to what matters for a procd script, with the
// procd.sh helpers recording their arguments in $STUB_LOG: one line per call, each argument in
// brackets. STUB_RUNNING=1 makes procd_running succeed. STUB_LEGACY=1 leaves out
// extra_command, like rc.common before 2020.
export const RC_COMMON = `# stand-in for /etc/rc.common with procd (tests only)
. "$STUB_DIR/functions.sh"

initscript=$1
action=\${2:-help}
shift 2

stub_log() {
	{ printf '%s' "$1"; shift; for a in "$@"; do printf ' [%s]' "$a"; done; printf '\\n'; } >> "$STUB_LOG"
}

ALL_COMMANDS="boot shutdown depends"
if [ "$STUB_LEGACY" != 1 ]; then
	extra_command() { ALL_COMMANDS="$ALL_COMMANDS $1"; }
fi
help() { echo "Syntax: $initscript [command]"; echo "commands: $ALL_COMMANDS"; }
start_service() { return 0; }
stop_service() { return 0; }
service_triggers() { return 0; }
for c in start stop restart reload enable disable enabled; do ALL_COMMANDS="$ALL_COMMANDS $c"; done
restart() { stop "$@"; start "$@"; }
enable() { stub_log enable; }
disable() { stub_log disable; }
enabled() { return 0; }
boot() { start "$@"; }
shutdown() { stop; }

. "$initscript"

[ -n "$USE_PROCD" ] && {
	ALL_COMMANDS="$ALL_COMMANDS running status trace info"
	for f in procd_open_service procd_open_instance procd_set_param procd_append_param \\
		procd_close_instance procd_add_reload_trigger procd_add_interface_trigger \\
		procd_add_reload_interface_trigger procd_add_raw_trigger procd_add_config_trigger \\
		procd_send_signal procd_kill procd_lock; do
		eval "$f() { stub_log $f \\"\\$@\\"; }"
	done
	# as _procd_close_service: the triggers go into the same message
	procd_close_service() { service_triggers; stub_log procd_close_service "$@"; }
	procd_running() { stub_log procd_running "$@"; [ "$STUB_RUNNING" = 1 ]; }
	_procd_status() { stub_log _procd_status "$@"; echo "not running"; return 5; }
	rc_procd() {
		procd_open_service "$(basename "$initscript")" "$initscript"
		"$@"
		procd_close_service set
	}
	start() { rc_procd start_service "$@"; }
	stop() { stop_service "$@"; procd_kill "$(basename "$initscript")" "$1"; }
	reload() {
		if type reload_service >/dev/null 2>&1; then reload_service "$@"; else start; fi
	}
	running() { procd_running "$(basename "$initscript")" "$@"; }
	status() {
		if type status_service >/dev/null 2>&1; then status_service "$@"; else _procd_status "$(basename "$initscript")" "$1"; fi
	}
}

ALL_COMMANDS="$ALL_COMMANDS $EXTRA_COMMANDS"
list_contains ALL_COMMANDS "$action" || action=help
$action "$@"
`;

export interface Stubs {
  dir: string;
  log: string;
}

export function writeStubs(dir: string): Stubs {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'functions.sh'), FUNCTIONS_SH);
  writeFileSync(join(dir, 'rc.common'), RC_COMMON);
  return { dir, log: join(dir, 'procd.log') };
}

// The log as [function, ...args] arrays.
export function readLog(path: string): string[][] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [name, ...rest] = line.split(' [');
      return [name!, ...rest.map((a) => a.replace(/\]$/, ''))];
    });
}
