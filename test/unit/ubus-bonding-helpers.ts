// Shared by the ubus-bonding tests: the recordings in test/fixtures/openwrt/ (see its README),
// and a daemon with a disabled configuration (it answers every method without a TUN device or root).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { Daemon } from '../../src/daemon.js';
import { Log } from '../../src/log.js';
import { decodeMessage, type UbusMessage } from '../../src/ubus/message.js';
import { REPO } from '../lab/paths.js';

const FIXTURES = join(REPO, 'test/fixtures/openwrt');

export interface Recorded {
  label: string;
  hex: string;
}

interface RecordedFile {
  add_object_libubus: Recorded;
  netifd: Recorded[];
}

export function recorded(): RecordedFile {
  return JSON.parse(readFileSync(join(FIXTURES, 'recorded.json'), 'utf8')) as RecordedFile;
}

/** The recorded netifd frame whose label starts with `label`, decoded. */
export function netifdFrame(label: string): UbusMessage {
  const r = recorded().netifd.find((f) => f.label.startsWith(label));
  if (!r) throw new Error(`no recorded frame '${label}'`);
  return decodeMessage(Buffer.from(r.hex, 'hex'));
}

export const DISABLED_CLIENT = `config bonding 'main'
	option enabled '0'
	option mode 'client'
	option server '192.0.2.7'
	option key 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='

config link 'lte1'
	option interface 'wwan'

config link 'dsl'
	option device 'eth9'
`;

export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `bond-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function writeConfig(dir: string, text = DISABLED_CLIENT): string {
  const file = join(dir, 'bonding');
  writeFileSync(file, text);
  return file;
}

export function disabledDaemon(dir: string): Daemon {
  const { config, problems } = loadConfig(writeConfig(dir));
  if (!config) throw new Error(problems.map((p) => p.message).join('\n'));
  return new Daemon(config, new Log('error', () => undefined));
}
