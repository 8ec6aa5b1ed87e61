// The handshake: a pre-shared key per client (bondd genkey) authenticates both sides, and an
// ephemeral X25519 exchange per handshake gives each session fresh keys (forward secrecy: a
// key that leaks later does not open recorded sessions).
//
//   init (client → server), 256 bytes, padded so that the response is never larger
//     0  type 1, 0, 0, 0     4  sender index u32 (the client's session index)
//     8  key id (8): names the pre-shared key without revealing it
//    16  client ephemeral public key (32)
//    48  time u64 (ms, informational; makes every init unique)
//    56  rekeyOf u32: the server's index of the session this one replaces, 0 if none
//    60  zero padding … 240  MAC (16) = HMAC-SHA256(macKey, bytes 0..240)
//   response (server → client)
//     0  type 2, 0, flags u8 (1 = fresh: sequence state starts over), 0
//     4  receiver index u32 (the client's)   8  sender index u32 (the server's)   12  0
//    16  server ephemeral public key (32)
//    48  AEAD(k_hs, nonce 0, ad = bytes 0..48 ‖ init MAC, tunnel settings as JSON), tag
//
//   keys = HKDF-SHA256(ikm = X25519(ephemerals), salt = PSK, info = label ‖ E_c ‖ E_s):
//          client→server | server→client | handshake (96 bytes)
// The server keeps nothing for an init it cannot authenticate and answers nothing; a replayed
// init gets a response nobody can use (it needs the client's ephemeral private key), and the
// server only switches to a new session once the client sends under its keys.
import { createHash, createHmac, createCipheriv, createDecipheriv, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, timingSafeEqual, type KeyObject } from 'node:crypto';
import { TYPE_INIT, TYPE_RESPONSE } from './packet.js';

export const INIT_LEN = 256;
const MAC_AT = 240;
const SPKI_X25519 = Buffer.from('302a300506032b656e032100', 'hex');
const KEY_LABEL = 'bond v1 session keys';

export interface PresharedKey {
  psk: Buffer;
  keyId: Buffer; // 8 bytes
  macKey: Buffer;
}

export interface SessionKeys {
  send: Buffer;
  recv: Buffer;
}

export function presharedKey(base64: string): PresharedKey {
  const psk = Buffer.from(base64, 'base64');
  if (psk.length !== 32 || psk.toString('base64') !== base64.trim()) throw new Error('a key is 32 bytes in base64 (bondd genkey)');
  return {
    psk,
    keyId: createHash('sha256').update('bond v1 key id').update(psk).digest().subarray(0, 8),
    macKey: Buffer.from(hkdfSync('sha256', psk, Buffer.alloc(0), 'bond v1 init mac', 32)),
  };
}

function ephemeral(): { priv: KeyObject; pub: Buffer } {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  return { priv: privateKey, pub: publicKey.export({ format: 'der', type: 'spki' }).subarray(-32) };
}

function shared(priv: KeyObject, pub: Buffer): Buffer {
  const publicKey = createPublicKey({ key: Buffer.concat([SPKI_X25519, pub]), format: 'der', type: 'spki' });
  return diffieHellman({ privateKey: priv, publicKey });
}

function deriveKeys(psk: Buffer, dh: Buffer, ec: Buffer, es: Buffer): { c2s: Buffer; s2c: Buffer; hs: Buffer } {
  const okm = Buffer.from(hkdfSync('sha256', dh, psk, Buffer.concat([Buffer.from(KEY_LABEL), ec, es]), 96));
  return { c2s: okm.subarray(0, 32), s2c: okm.subarray(32, 64), hs: okm.subarray(64, 96) };
}

function mac(key: PresharedKey, packet: Buffer): Buffer {
  return createHmac('sha256', key.macKey).update(packet.subarray(0, MAC_AT)).digest().subarray(0, 16);
}

export interface PendingInit {
  packet: Buffer;
  index: number;
  priv: KeyObject;
  pub: Buffer;
}

export function createInit(key: PresharedKey, index: number, rekeyOf: number, now = Date.now()): PendingInit {
  const e = ephemeral();
  const p = Buffer.alloc(INIT_LEN);
  p[0] = TYPE_INIT;
  p.writeUInt32BE(index >>> 0, 4);
  key.keyId.copy(p, 8);
  e.pub.copy(p, 16);
  p.writeBigUInt64BE(BigInt(now), 48);
  p.writeUInt32BE(rekeyOf >>> 0, 56);
  mac(key, p).copy(p, MAC_AT);
  return { packet: p, index, priv: e.priv, pub: e.pub };
}

export interface ParsedInit {
  keyId: string; // hex, for lookup
  senderIndex: number;
  ephemeral: Buffer;
  rekeyOf: number;
  mac: Buffer;
}

/** Checks the shape only; authenticity needs the key (verifyInit). */
export function parseInit(p: Buffer): ParsedInit | string {
  if (p.length !== INIT_LEN) return `init of ${p.length} bytes (want ${INIT_LEN})`;
  if (p[0] !== TYPE_INIT) return 'not an init';
  return {
    keyId: p.toString('hex', 8, 16),
    senderIndex: p.readUInt32BE(4),
    ephemeral: Buffer.from(p.subarray(16, 48)),
    rekeyOf: p.readUInt32BE(56),
    mac: Buffer.from(p.subarray(MAC_AT, MAC_AT + 16)),
  };
}

export function verifyInit(key: PresharedKey, p: Buffer): boolean {
  return p.length === INIT_LEN && timingSafeEqual(mac(key, p), p.subarray(MAC_AT, MAC_AT + 16));
}

export interface Response {
  packet: Buffer;
  keys: SessionKeys; // the server's view: send = s2c
}

/** Server side: answers a verified init. */
export function createResponse(key: PresharedKey, init: ParsedInit, index: number, fresh: boolean, settings: object): Response {
  const e = ephemeral();
  const k = deriveKeys(key.psk, shared(e.priv, init.ephemeral), init.ephemeral, e.pub);
  const head = Buffer.alloc(48);
  head[0] = TYPE_RESPONSE;
  head[2] = fresh ? 1 : 0;
  head.writeUInt32BE(init.senderIndex >>> 0, 4);
  head.writeUInt32BE(index >>> 0, 8);
  e.pub.copy(head, 16);
  const c = createCipheriv('chacha20-poly1305', k.hs, Buffer.alloc(12), { authTagLength: 16 });
  c.setAAD(Buffer.concat([head, init.mac]), { plaintextLength: 0 });
  const body = Buffer.concat([c.update(JSON.stringify(settings)), c.final(), c.getAuthTag()]);
  return { packet: Buffer.concat([head, body]), keys: { send: k.s2c, recv: k.c2s } };
}

export interface AcceptedResponse {
  keys: SessionKeys; // the client's view: send = c2s
  serverIndex: number;
  fresh: boolean;
  settings: unknown;
}

/** Client side: opens the response to its pending init, or says why it cannot. */
export function openResponse(key: PresharedKey, pending: PendingInit, p: Buffer): AcceptedResponse | string {
  if (p.length < 48 + 16 || p[0] !== TYPE_RESPONSE) return 'not a response';
  if (p.readUInt32BE(4) !== pending.index) return 'response to another init';
  const es = p.subarray(16, 48);
  let k: ReturnType<typeof deriveKeys>;
  try {
    k = deriveKeys(key.psk, shared(pending.priv, Buffer.from(es)), pending.pub, Buffer.from(es));
  } catch {
    return 'bad ephemeral key';
  }
  const d = createDecipheriv('chacha20-poly1305', k.hs, Buffer.alloc(12), { authTagLength: 16 });
  d.setAAD(Buffer.concat([p.subarray(0, 48), pending.packet.subarray(MAC_AT, MAC_AT + 16)]), { plaintextLength: 0 });
  d.setAuthTag(p.subarray(p.length - 16));
  let text: string;
  try {
    text = Buffer.concat([d.update(p.subarray(48, p.length - 16)), d.final()]).toString('utf8');
  } catch {
    return 'response does not authenticate (wrong key?)';
  }
  let settings: unknown;
  try {
    settings = JSON.parse(text);
  } catch {
    return 'response settings are not JSON';
  }
  return { keys: { send: k.c2s, recv: k.s2c }, serverIndex: p.readUInt32BE(8), fresh: (p[2]! & 1) === 1, settings };
}
