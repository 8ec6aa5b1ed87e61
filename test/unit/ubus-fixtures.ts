// Access to the ubus recordings in test/fixtures/ubus/ (see its README: recorded from the
// real ubusd, ubus CLI and example server of openwrt/ubus 3cc98db with libubox 1aa36ee).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../lab/paths.js';

const DIR = join(REPO, 'test/fixtures/ubus');

export function readFixture<T>(name: string): T {
  return JSON.parse(readFileSync(join(DIR, name), 'utf8')) as T;
}

export interface RecordedAttr {
  attr: string;
  id: number;
  kind: string;
  hex: string;
  value?: unknown;
  json?: unknown;
}

export interface RecordedFrame {
  event: 'frame';
  conn: number;
  label: string;
  direction: 'client->ubusd' | 'ubusd->client';
  index: number;
  hex: string;
  decoded: {
    header: { version: number; type: number; type_name: string; seq: number; peer: number };
    attrs: RecordedAttr[];
  };
}

export interface RecordedOther {
  event: 'connect' | 'eof';
  conn: number;
  label: string;
  index: number;
  direction?: 'client->ubusd' | 'ubusd->client';
}

export interface Session {
  session: string;
  connections: Array<{ conn: number; label: string }>;
  events: Array<RecordedFrame | RecordedOther>;
}

export const SESSIONS = [
  'a_list.json',
  'a2_list_path.json',
  'b_list_verbose.json',
  'c_call_hello.json',
  'c2_call_count.json',
  'd_call_errors.json',
  'e_send_listen.json',
  'f_wait_for.json',
  'g_subscribe.json',
];

export function frames(session: Session): RecordedFrame[] {
  return session.events.filter((e): e is RecordedFrame => e.event === 'frame');
}

export interface BlobmsgVector {
  description: string;
  json: string;
  ok: boolean;
  hex: string;
  data_hex?: string;
  format_json?: string;
  decoded?: RecordedBlobmsg[];
}

export interface RecordedBlobmsg {
  name: string;
  type: string;
  type_id: number;
  raw_len: number;
  hex: string;
  value: unknown;
}
