// The effective configuration: what bondd runs with after /etc/config/bonding is parsed,
// validated and given its defaults. `bondd check --json` prints exactly this shape.
// `line` fields point back into the UCI file so that later errors (a device that does not
// exist, a key the server rejects) can still name FILE:LINE.

// The values each enumerated option accepts: the loader checks against these lists and the
// LuCI page offers them.
export const MODES = ['client', 'server'] as const;
export const SCHEDULERS = ['adaptive', 'roundrobin', 'failover', 'redundant'] as const;
export const ROLES = ['primary', 'secondary', 'backup'] as const;
export const CIPHERS = ['aes-256-gcm', 'chacha20-poly1305'] as const;
// Most severe first: a log shows the levels up to its own.
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;

export type Mode = (typeof MODES)[number];
export type SchedulerName = (typeof SCHEDULERS)[number];
export type LinkRole = (typeof ROLES)[number];
export type Cipher = (typeof CIPHERS)[number];
export type LogLevel = (typeof LOG_LEVELS)[number];

export const DEFAULT_SCHEDULER: SchedulerName = 'adaptive';
export const DEFAULT_ROLE: LinkRole = 'primary';

export interface LinkConfig {
  name: string; // UCI section name ('lte1'); anonymous sections get 'link<N>'
  line: number;
  enabled: boolean; // option enabled, default true
  interface?: string; // netifd interface (OpenWrt); device/address/gateway come from netifd
  device?: string; // kernel device (plain Linux)
  address?: string; // optional fixed source address; otherwise read from the device
  gateway?: string; // optional; otherwise the kernel's default route for the device
  role: LinkRole; // default DEFAULT_ROLE
  maxDownMbps?: number; // ceiling on the server→client rate over this link (Mbit/s)
  maxUpMbps?: number; // ceiling on the client→server rate over this link (Mbit/s)
  table?: number; // routing table; chosen automatically when absent
}

export interface PeerConfig {
  name: string;
  line: number;
  key: string; // base64 of 32 bytes
  address: string; // IPv4 tunnel address handed to the peer, e.g. '10.77.0.2'
  address6?: string; // optional IPv6 tunnel address handed to the peer
  routes: string[]; // LANs behind the peer, routed (not NATed)
}

export interface CommonConfig {
  file: string;
  enabled: boolean;
  port: number; // default 7010
  device: string; // TUN name, default 'bond0'
  mtu: number; // default 1400
  cipher: Cipher; // default 'aes-256-gcm'
  logLevel: LogLevel; // default 'info'
}

export interface ClientConfig extends CommonConfig {
  mode: 'client';
  server: string; // host name or address
  key: string;
  scheduler: SchedulerName; // default DEFAULT_SCHEDULER
  defaultRoute: boolean; // default true
  links: LinkConfig[];
}

export interface ServerConfig extends CommonConfig {
  mode: 'server';
  listen: string; // default '0.0.0.0'
  address: string; // CIDR, the server's own tunnel address, e.g. '10.77.0.1/24'
  address6?: string; // optional IPv6 CIDR inside the tunnel, e.g. 'fd77::1/64'
  nat: boolean; // default true
  scheduler: SchedulerName; // used for server→client traffic, default DEFAULT_SCHEDULER
  peers: PeerConfig[];
}

export type Config = ClientConfig | ServerConfig;

export interface ConfigProblem {
  file: string;
  line: number; // 0 when the problem is about the file as a whole
  severity: 'error' | 'warning';
  message: string;
  option?: string; // the option it is about, also when it is missing (reported on the section's line)
}
