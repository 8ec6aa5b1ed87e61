// /etc/config/bonding → effective config: defaults, every rule of DESIGN.md "Configuration",
// and the exact line of every problem.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, parseConfigText } from '../../src/config/load.js';
import type { ClientConfig, ServerConfig } from '../../src/config/types.js';

const FILE = '/etc/config/bonding';
const KEY = 'qXbDc4zaZBU1qY2yIjwX0ufCu4i4cxKDs2JzaYiLGzQ=';
const KEY2 = 'kK9f+/0gkMa5AEEz8yNsdHSJmuKYBFyltjwBSDLs1ec=';

// A config from lines; line numbers in the tests are the array index + 1.
const cfg = (...lines: string[]) => lines.join('\n') + '\n';

function parse(text: string) {
  return parseConfigText(text, FILE);
}

function shown(text: string): string[] {
  return parse(text).problems.map((p) => `${p.line}: ${p.severity}: ${p.message}`);
}

const CLIENT_HEAD = ["config bonding 'main'", "\toption mode 'client'", "\toption server 'vps.example.net'", `\toption key '${KEY}'`];
const SERVER_HEAD = ["config bonding 'main'", "\toption mode 'server'", "\toption address '10.77.0.1/24'"];
const LINK = ["config link 'wan'", "\toption device 'eth1'"];
const PEER = ["config peer 'home'", `\toption key '${KEY}'`, "\toption address '10.77.0.2'"];

test('the client example of DESIGN.md', () => {
  const text = cfg(
    "config bonding 'main'",
    "\toption enabled '1'",
    "\toption mode 'client'",
    "\toption server 'vps.example.net'       # host name or address of the server",
    "\toption port '7010'",
    `\toption key '${KEY}'`,
    "\toption device 'bond0'",
    "\toption mtu '1400'",
    "\toption scheduler 'adaptive'",
    "\toption default_route '1'",
    '',
    "config link 'lte1'",
    "\toption interface 'wwan'",
    "\toption role 'primary'",
    '',
    "config link 'dsl'",
    "\toption device 'eth1'",
    "\toption gateway '192.0.2.1'",
    "\toption max_down '20'",
  );
  const { config, problems } = parse(text);
  assert.deepEqual(problems, []);
  const expected: ClientConfig = {
    mode: 'client',
    file: FILE,
    enabled: true,
    port: 7010,
    device: 'bond0',
    mtu: 1400,
    cipher: 'aes-256-gcm',
    logLevel: 'info',
    server: 'vps.example.net',
    key: KEY,
    scheduler: 'adaptive',
    defaultRoute: true,
    links: [
      { name: 'lte1', line: 12, enabled: true, interface: 'wwan', device: undefined, address: undefined, gateway: undefined, role: 'primary', maxDownMbps: undefined, maxUpMbps: undefined, table: undefined },
      { name: 'dsl', line: 16, enabled: true, interface: undefined, device: 'eth1', address: undefined, gateway: '192.0.2.1', role: 'primary', maxDownMbps: 20, maxUpMbps: undefined, table: undefined },
    ],
  };
  assert.deepEqual(config, expected);
});

test('the server example of DESIGN.md', () => {
  const text = cfg(
    "config bonding 'main'",
    "\toption mode 'server'",
    "\toption listen '0.0.0.0'",
    "\toption port '7010'",
    "\toption device 'bond0'",
    "\toption address '10.77.0.1/24'",
    "\toption nat '1'",
    '',
    "config peer 'home'",
    `\toption key '${KEY}'`,
    "\toption address '10.77.0.2'",
    "\tlist route '192.168.1.0/24'",
  );
  const { config, problems } = parse(text);
  assert.deepEqual(problems, []);
  const expected: ServerConfig = {
    mode: 'server',
    file: FILE,
    enabled: true,
    port: 7010,
    device: 'bond0',
    mtu: 1400,
    cipher: 'aes-256-gcm',
    logLevel: 'info',
    listen: '0.0.0.0',
    address: '10.77.0.1/24',
    address6: undefined,
    nat: true,
    scheduler: 'adaptive',
    peers: [{ name: 'home', line: 9, key: KEY, address: '10.77.0.2', address6: undefined, routes: ['192.168.1.0/24'] }],
  };
  assert.deepEqual(config, expected);
});

test('defaults apply to a minimal client', () => {
  const { config } = parse(cfg(...CLIENT_HEAD, ...LINK));
  assert.equal(config?.mode, 'client');
  const c = config as ClientConfig;
  assert.deepEqual(
    [c.enabled, c.port, c.device, c.mtu, c.scheduler, c.defaultRoute, c.cipher, c.logLevel, c.links[0]!.role, c.links[0]!.enabled],
    [true, 7010, 'bond0', 1400, 'adaptive', true, 'aes-256-gcm', 'info', 'primary', true],
  );
});

test('defaults apply to a minimal server', () => {
  const { config } = parse(cfg(...SERVER_HEAD, ...PEER));
  const s = config as ServerConfig;
  assert.deepEqual([s.listen, s.nat, s.port, s.device, s.mtu, s.peers.length], ['0.0.0.0', true, 7010, 'bond0', 1400, 1]);
});

test('every option set to a non-default value', () => {
  const { config, problems } = parse(
    cfg(
      "config bonding 'main'",
      "\toption mode 'client'",
      "\toption enabled 'yes'",
      "\toption server '2001:db8::7'",
      `\toption key '${KEY}'`,
      "\toption port '443'",
      "\toption device 'tun-bond.1'",
      "\toption mtu '9000'",
      "\toption scheduler 'redundant'",
      "\toption default_route 'off'",
      "\toption cipher 'chacha20-poly1305'",
      "\toption log_level 'debug'",
      'config link',
      "\toption interface 'wwan_5g'",
      "\toption enabled 'false'",
      "\toption role 'backup'",
      "\toption address '100.64.1.2'",
      "\toption gateway 'fe80::1'",
      "\toption max_down '0.5'",
      "\toption max_up '12.25'",
      "\toption table '2147483648'",
      'config link',
      "\toption device 'eth2'",
      "\toption table '1'",
    ),
  );
  assert.deepEqual(problems, []);
  const c = config as ClientConfig;
  assert.deepEqual([c.enabled, c.server, c.port, c.device, c.mtu, c.scheduler, c.defaultRoute, c.cipher, c.logLevel], [true, '2001:db8::7', 443, 'tun-bond.1', 9000, 'redundant', false, 'chacha20-poly1305', 'debug']);
  assert.deepEqual(c.links[0], { name: 'link0', line: 13, enabled: false, interface: 'wwan_5g', device: undefined, address: '100.64.1.2', gateway: 'fe80::1', role: 'backup', maxDownMbps: 0.5, maxUpMbps: 12.25, table: 2147483648 });
  assert.equal(c.links[1]!.name, 'link1');
  assert.equal(c.links[1]!.table, 1);
});

test('anonymous links are named after their @link index, avoiding named ones', () => {
  const { config } = parse(cfg(...CLIENT_HEAD, 'config link', "\toption device 'a'", "config link 'link0'", "\toption device 'b'", 'config link', "\toption device 'c'"));
  assert.deepEqual((config as ClientConfig).links.map((l) => l.name), ['link0_1', 'link0', 'link2']);
});

test('the disabled default file is valid without server, key or links', () => {
  const { config, problems } = parse(cfg("config bonding 'main'", "\toption enabled '0'", "\toption mode 'client'"));
  assert.deepEqual(problems, []);
  assert.equal(config?.enabled, false);
  assert.equal((config as ClientConfig).server, '');
  const server = parse(cfg("config bonding 'main'", "\toption enabled '0'", "\toption mode 'server'", "config peer 'p'"));
  assert.deepEqual(server.problems, []);
  assert.equal((server.config as ServerConfig).peers[0]!.key, '');
});

test('a disabled config must still be well-formed', () => {
  assert.deepEqual(shown(cfg("config bonding 'main'", "\toption enabled '0'", "\toption mode 'client'", "\toption mtu 'big'")), [
    "4: error: option 'mtu' 'big': must be an integer from 576 to 9000",
  ]);
});

test('warnings alone leave the config valid', () => {
  const { config, problems } = parse(cfg(...CLIENT_HEAD, "\toption colour 'blue'", "\toption nat '1'", ...LINK, "config globals 'g'", ...PEER));
  assert.ok(config);
  assert.deepEqual(
    problems.map((p) => [p.line, p.severity, p.message]),
    [
      [5, 'warning', "unknown option 'colour' in bonding 'main' (ignored)"],
      [6, 'warning', "option 'nat' is only used in server mode (ignored)"],
      [9, 'warning', "unknown section type 'globals' (ignored)"],
      [10, 'warning', 'peer sections are not used in client mode (ignored)'],
    ],
  );
});

test('server options in a server, client options warned about; links ignored', () => {
  const { config, problems } = parse(cfg(...SERVER_HEAD, "\toption default_route '0'", "\toption address6 'fd77::1/64'", "\toption listen '::'", "\toption nat '0'", ...PEER, "\toption address6 'fd77::2'", "\tlist route 'fd00:1::/64'", ...LINK));
  const s = config as ServerConfig;
  assert.deepEqual([s.address6, s.listen, s.nat, s.peers[0]!.address6, s.peers[0]!.routes], ['fd77::1/64', '::', false, 'fd77::2', ['fd00:1::/64']]);
  assert.deepEqual(problems.map((p) => [p.line, p.severity]), [
    [4, 'warning'],
    [13, 'warning'],
  ]);
});

test('a plain option counts as a one-entry route list', () => {
  const { config } = parse(cfg(...SERVER_HEAD, ...PEER, "\toption route '192.168.7.0/24'"));
  assert.deepEqual((config as ServerConfig).peers[0]!.routes, ['192.168.7.0/24']);
});

test('several peers, IPv6 tunnel addresses', () => {
  const { config, problems } = parse(
    cfg(...SERVER_HEAD, "\toption address6 'fd77::1/64'", ...PEER, "\toption address6 'fd77::2'", 'config peer', `\toption key '${KEY2}'`, "\toption address '10.77.0.254'", "\toption address6 'FD77:0::3'"),
  );
  assert.deepEqual(problems, []);
  assert.deepEqual((config as ServerConfig).peers.map((p) => [p.name, p.address, p.address6]), [
    ['home', '10.77.0.2', 'fd77::2'],
    ['peer1', '10.77.0.254', 'FD77:0::3'],
  ]);
});

// Each case: the file, then the exact problems (line: severity: message); the config must be
// refused whenever there is an error.
const INVALID: [string, string, string[]][] = [
  ['no bonding section', cfg(...LINK), ["0: error: no 'config bonding' section"]],
  ['mode missing', cfg("config bonding 'main'", "\toption enabled '1'"), ["1: error: bonding 'main' needs option 'mode'"]],
  ['mode wrong', cfg("config bonding 'main'", "\toption mode 'router'"), ["2: error: option 'mode' 'router': must be one of client, server"]],
  ['mode as a list', cfg("config bonding 'main'", "\tlist mode 'client'"), ["2: error: option 'mode' takes one value, not a list"]],
  ['two bonding sections', cfg(...CLIENT_HEAD, ...LINK, "config bonding 'second'"), ['7: error: only one bonding section is allowed (the first is at line 1)']],
  ['client without server and key', cfg("config bonding 'main'", "\toption mode 'client'", ...LINK), ["1: error: bonding 'main' needs option 'server'", "1: error: bonding 'main' needs option 'key'"]],
  ['client without links', cfg(...CLIENT_HEAD), ['1: error: a client needs at least one enabled link section']],
  ['client with only disabled links', cfg(...CLIENT_HEAD, ...LINK, "\toption enabled '0'"), ['1: error: a client needs at least one enabled link section']],
  ['key too short', cfg("config bonding 'main'", "\toption mode 'client'", "\toption server 'a'", "\toption key 'c2hvcnQ='", ...LINK), ["4: error: option 'key': must be 32 bytes in base64, as printed by 'bondd genkey'"]],
  ['key not base64', cfg("config bonding 'main'", "\toption mode 'client'", "\toption server 'a'", `\toption key '${KEY.replace('q', '!')}'`, ...LINK), ["4: error: option 'key': must be 32 bytes in base64, as printed by 'bondd genkey'"]],
  ['key without padding', cfg("config bonding 'main'", "\toption mode 'client'", "\toption server 'a'", `\toption key '${KEY.slice(0, -1)}'`, ...LINK), ["4: error: option 'key': must be 32 bytes in base64, as printed by 'bondd genkey'"]],
  ['server not a host', cfg("config bonding 'main'", "\toption mode 'client'", "\toption server 'vps_example.net'", `\toption key '${KEY}'`, ...LINK), ["3: error: option 'server' 'vps_example.net': must be a host name or an IP address"]],
  ['server a broken IPv4', cfg("config bonding 'main'", "\toption mode 'client'", "\toption server '198.51.100.300'", `\toption key '${KEY}'`, ...LINK), ["3: error: option 'server' '198.51.100.300': must be a host name or an IP address"]],
  ['port 0', cfg(...CLIENT_HEAD, "\toption port '0'", ...LINK), ["5: error: option 'port' '0': must be an integer from 1 to 65535"]],
  ['port too big', cfg(...CLIENT_HEAD, "\toption port '65536'", ...LINK), ["5: error: option 'port' '65536': must be an integer from 1 to 65535"]],
  ['port not a number', cfg(...CLIENT_HEAD, "\toption port '70x'", ...LINK), ["5: error: option 'port' '70x': must be an integer from 1 to 65535"]],
  ['mtu too small', cfg(...CLIENT_HEAD, "\toption mtu '575'", ...LINK), ["5: error: option 'mtu' '575': must be an integer from 576 to 9000"]],
  ['mtu too big', cfg(...CLIENT_HEAD, "\toption mtu '9001'", ...LINK), ["5: error: option 'mtu' '9001': must be an integer from 576 to 9000"]],
  ['device name too long', cfg(...CLIENT_HEAD, "\toption device 'bond-with-a-long-name'", ...LINK), ["5: error: option 'device' 'bond-with-a-long-name': must be a network device name of 1 to 15 characters without /, : or blanks"]],
  ['device with a slash', cfg(...CLIENT_HEAD, ...LINK.slice(0, 1), "\toption device 'eth/1'"), ["6: error: option 'device' 'eth/1': must be a network device name of 1 to 15 characters without /, : or blanks"]],
  ['scheduler unknown', cfg(...CLIENT_HEAD, "\toption scheduler 'fastest'", ...LINK), ["5: error: option 'scheduler' 'fastest': must be one of adaptive, roundrobin, failover, redundant"]],
  ['cipher unknown', cfg(...CLIENT_HEAD, "\toption cipher 'aes-128-gcm'", ...LINK), ["5: error: option 'cipher' 'aes-128-gcm': must be one of aes-256-gcm, chacha20-poly1305"]],
  ['log level unknown', cfg(...CLIENT_HEAD, "\toption log_level 'verbose'", ...LINK), ["5: error: option 'log_level' 'verbose': must be one of error, warn, info, debug"]],
  ['boolean wrong', cfg(...CLIENT_HEAD, "\toption default_route 'maybe'", ...LINK), ["5: error: option 'default_route' 'maybe': must be a boolean ('1' or '0')"]],
  ['boolean is case-sensitive', cfg(...CLIENT_HEAD, "\toption enabled 'Yes'", ...LINK), ["5: error: option 'enabled' 'Yes': must be a boolean ('1' or '0')"]],
  ['link without interface or device', cfg(...CLIENT_HEAD, ...LINK, "config link 'lte'", "\toption role 'backup'"), ["7: error: link 'lte' needs option 'interface' (netifd) or 'device' (kernel)"]],
  ['anonymous link without interface', cfg(...CLIENT_HEAD, ...LINK, 'config link'), ["7: error: link @link[1] needs option 'interface' (netifd) or 'device' (kernel)"]],
  ['link role unknown', cfg(...CLIENT_HEAD, ...LINK, "\toption role 'main'"), ["7: error: option 'role' 'main': must be one of primary, secondary, backup"]],
  ['link interface name', cfg(...CLIENT_HEAD, "config link 'l'", "\toption interface 'wan-1'"), ["6: error: option 'interface' 'wan-1': must be a network interface name (letters, digits, _)"]],
  ['link address', cfg(...CLIENT_HEAD, ...LINK, "\toption address '10.0.0'"), ["7: error: option 'address' '10.0.0': must be an IPv4 or IPv6 address"]],
  ['link address with prefix', cfg(...CLIENT_HEAD, ...LINK, "\toption address '10.0.0.2/24'"), ["7: error: option 'address' '10.0.0.2/24': must be an IPv4 or IPv6 address"]],
  ['link gateway', cfg(...CLIENT_HEAD, ...LINK, "\toption gateway 'fe80::1::2'"), ["7: error: option 'gateway' 'fe80::1::2': must be an IPv4 or IPv6 address"]],
  ['link gateway octal-looking', cfg(...CLIENT_HEAD, ...LINK, "\toption gateway '192.168.01.1'"), ["7: error: option 'gateway' '192.168.01.1': must be an IPv4 or IPv6 address"]],
  ['max_down zero', cfg(...CLIENT_HEAD, ...LINK, "\toption max_down '0'"), ["7: error: option 'max_down' '0': must be a positive number of Mbit/s"]],
  ['max_up negative', cfg(...CLIENT_HEAD, ...LINK, "\toption max_up '-5'"), ["7: error: option 'max_up' '-5': must be a positive number of Mbit/s"]],
  ['max_up with unit', cfg(...CLIENT_HEAD, ...LINK, "\toption max_up '20M'"), ["7: error: option 'max_up' '20M': must be a positive number of Mbit/s"]],
  ...['0', '253', '254', '255', '2147483649', '1.5', 'main'].map((t): [string, string, string[]] => [
    `table ${t}`,
    cfg(...CLIENT_HEAD, ...LINK, `\toption table '${t}'`),
    [`7: error: option 'table' '${t}': must be a routing table number from 1 to 252 or from 256 to 2147483648 (253-255 are default, main and local)`],
  ]),
  ['two links on one device', cfg(...CLIENT_HEAD, ...LINK, 'config link', "\toption device 'eth1'"), ["8: error: link @link[1] uses device 'eth1' like link 'wan' (line 6)"]],
  ['two links on one interface', cfg(...CLIENT_HEAD, "config link 'a'", "\toption interface 'wwan'", "config link 'b'", "\toption interface 'wwan'"), ["8: error: link 'b' uses interface 'wwan' like link 'a' (line 6)"]],
  ['two links with one table', cfg(...CLIENT_HEAD, ...LINK, "\toption table '100'", "config link 'b'", "\toption device 'eth2'", "\toption table '100'"), ["10: error: link 'b' uses table '100' like link 'wan' (line 7)"]],
  ['server without address', cfg("config bonding 'main'", "\toption mode 'server'", ...PEER), ["1: error: bonding 'main' needs option 'address'", "5: error: option 'address' of a peer needs option 'address' (the tunnel subnet) in the bonding section"]],
  ['server address without prefix', cfg("config bonding 'main'", "\toption mode 'server'", "\toption address '10.77.0.1'", ...PEER), ["3: error: option 'address' '10.77.0.1': must be an IPv4 address with prefix length, like 10.77.0.1/24"]],
  ['server address IPv6', cfg("config bonding 'main'", "\toption mode 'server'", "\toption address 'fd77::1/64'", ...PEER), ["3: error: option 'address' 'fd77::1/64': must be an IPv4 address with prefix length, like 10.77.0.1/24"]],
  ['server address prefix too long', cfg("config bonding 'main'", "\toption mode 'server'", "\toption address '10.77.0.1/33'"), ["1: warning: no peer sections: no client can connect", "3: error: option 'address' '10.77.0.1/33': must be an IPv4 address with prefix length, like 10.77.0.1/24"]],
  ['server address is the network', cfg("config bonding 'main'", "\toption mode 'server'", "\toption address '10.77.0.0/24'", ...PEER), ["3: error: option 'address' '10.77.0.0/24' is not a usable host address of its subnet"]],
  ['server address6 IPv4', cfg(...SERVER_HEAD, "\toption address6 '10.0.0.1/8'", ...PEER), ["4: error: option 'address6' '10.0.0.1/8': must be an IPv6 address with prefix length, like fd77::1/64"]],
  ['listen not an address', cfg(...SERVER_HEAD, "\toption listen 'any'", ...PEER), ["4: error: option 'listen' 'any': must be an IPv4 or IPv6 address"]],
  ['nat wrong', cfg(...SERVER_HEAD, "\toption nat 'masquerade'", ...PEER), ["4: error: option 'nat' 'masquerade': must be a boolean ('1' or '0')"]],
  ['peer without key and address', cfg(...SERVER_HEAD, "config peer 'p'"), ["4: error: peer 'p' needs option 'key'", "4: error: peer 'p' needs option 'address'"]],
  ['peer key bad', cfg(...SERVER_HEAD, "config peer 'p'", "\toption key 'secret'", "\toption address '10.77.0.2'"), ["5: error: option 'key': must be 32 bytes in base64, as printed by 'bondd genkey'"]],
  ['peer address with prefix', cfg(...SERVER_HEAD, ...PEER.slice(0, 2), "\toption address '10.77.0.2/24'"), ["6: error: option 'address' '10.77.0.2/24': must be an IPv4 address"]],
  ['peer address outside', cfg(...SERVER_HEAD, ...PEER.slice(0, 2), "\toption address '10.78.0.2'"), ["6: error: option 'address' '10.78.0.2' is outside the tunnel subnet 10.77.0.1/24 (line 3)"]],
  ['peer address is the server', cfg(...SERVER_HEAD, ...PEER.slice(0, 2), "\toption address '10.77.0.1'"), ["6: error: option 'address' '10.77.0.1' is the server's own address (line 3)"]],
  ['peer address is broadcast', cfg(...SERVER_HEAD, ...PEER.slice(0, 2), "\toption address '10.77.0.255'"), ["6: error: option 'address' '10.77.0.255' is the network or broadcast address of 10.77.0.1/24"]],
  ['peer address6 without server address6', cfg(...SERVER_HEAD, ...PEER, "\toption address6 'fd77::2'"), ["7: error: option 'address6' of a peer needs option 'address6' (the tunnel subnet) in the bonding section"]],
  ['peer address6 outside', cfg(...SERVER_HEAD, "\toption address6 'fd77::1/64'", ...PEER, "\toption address6 'fd78::2'"), ["8: error: option 'address6' 'fd78::2' is outside the tunnel subnet fd77::1/64 (line 4)"]],
  ['peer route not a prefix', cfg(...SERVER_HEAD, ...PEER, "\tlist route '192.168.1.0/24'", "\tlist route '192.168.2.0'"), ["8: error: list 'route' '192.168.2.0': must be an IPv4 or IPv6 prefix, like 192.168.1.0/24"]],
  ['peer route with host bits', cfg(...SERVER_HEAD, ...PEER, "\tlist route '192.168.1.1/24'"), ["7: error: list 'route' '192.168.1.1/24': has host bits set (did you mean 192.168.1.0/24?)"]],
  ['two peers with one key', cfg(...SERVER_HEAD, ...PEER, "config peer 'two'", `\toption key '${KEY}'`, "\toption address '10.77.0.3'"), ["8: error: peer 'two' has the same key as peer 'home' (line 4)"]],
  ['two peers with one address', cfg(...SERVER_HEAD, ...PEER, 'config peer', `\toption key '${KEY2}'`, "\toption address '10.77.0.2'"), ["9: error: peer @peer[1] has the same address '10.77.0.2' as peer 'home' (line 4)"]],
  ['two peers with one route', cfg(...SERVER_HEAD, ...PEER, "\tlist route '192.168.1.0/24'", "config peer 'b'", `\toption key '${KEY2}'`, "\toption address '10.77.0.3'", "\tlist route '192.168.1.0/24'"), ["11: error: peer 'b' has the same route '192.168.1.0/24' as peer 'home' (line 4)"]],
  ['syntax error', cfg(...CLIENT_HEAD, ...LINK, "\toption mtu '1400"), ['7: error: syntax error: EOF with unterminated \' (column 13)']],
  ['syntax error: bad option name', cfg(...CLIENT_HEAD, "\toption max-down '10'"), ['5: error: syntax error: invalid character in name field (column 9)']],
];

for (const [name, text, expected] of INVALID) {
  test(`invalid: ${name}`, () => {
    const { config, problems } = parse(text);
    assert.deepEqual(shown(text), expected);
    assert.equal(config, undefined);
    assert.ok(problems.every((p) => p.file === FILE));
  });
}

test('every problem is reported, in file order', () => {
  const text = cfg(
    "config bonding 'main'",
    "\toption mode 'client'",
    "\toption mtu '10'",
    "\toption port 'x'",
    "\toption what 'ever'",
    "config link 'a'",
    "\toption max_down '-1'",
    "config link 'b'",
    "\toption table '254'",
  );
  assert.deepEqual(shown(text), [
    "1: error: bonding 'main' needs option 'server'",
    "1: error: bonding 'main' needs option 'key'",
    "3: error: option 'mtu' '10': must be an integer from 576 to 9000",
    "4: error: option 'port' 'x': must be an integer from 1 to 65535",
    "5: warning: unknown option 'what' in bonding 'main' (ignored)",
    "6: error: link 'a' needs option 'interface' (netifd) or 'device' (kernel)",
    "7: error: option 'max_down' '-1': must be a positive number of Mbit/s",
    "8: error: link 'b' needs option 'interface' (netifd) or 'device' (kernel)",
    "9: error: option 'table' '254': must be a routing table number from 1 to 252 or from 256 to 2147483648 (253-255 are default, main and local)",
  ]);
});

test('with an unknown mode, links and peers are still checked', () => {
  assert.deepEqual(shown(cfg("config bonding 'main'", "\toption mode 'bridge'", "\toption server 'x'", "config link 'a'", "config peer 'p'", "\toption address 'nope'")), [
    "2: error: option 'mode' 'bridge': must be one of client, server",
    "3: warning: option 'server' depends on the mode (ignored)",
    "4: error: link 'a' needs option 'interface' (netifd) or 'device' (kernel)",
    "5: error: peer 'p' needs option 'key'",
    "6: error: option 'address' 'nope': must be an IPv4 address",
  ]);
});

test('keys never appear in messages', () => {
  const secret = 'not-a-valid-key-but-secret';
  const out = shown(cfg(...CLIENT_HEAD.slice(0, 3), `\toption key '${secret}'`, ...LINK, "config peer 'p'", `\tlist key '${secret}'`));
  assert.ok(out.length > 0);
  assert.ok(out.every((line) => !line.includes(secret)), out.join('\n'));
});

test('loadConfig reads a file and reports unreadable ones', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bond-config-'));
  try {
    const file = join(dir, 'bonding');
    writeFileSync(file, cfg(...CLIENT_HEAD, ...LINK));
    const ok = loadConfig(file);
    assert.equal(ok.config?.file, file);
    assert.deepEqual(ok.problems, []);
    const missing = loadConfig(join(dir, 'nope'));
    assert.equal(missing.config, undefined);
    assert.deepEqual(missing.problems, [{ file: join(dir, 'nope'), line: 0, severity: 'error', message: 'cannot read the config: no such file' }]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
