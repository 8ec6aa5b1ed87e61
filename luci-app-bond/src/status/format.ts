// Numbers for people. No Intl: OpenWrt's node and some browsers on old phones have small ICU,
// and the units are the ones LuCI's own pages use (bit/s with SI prefixes).
import { _, format } from '../i18n.js';

export function formatRate(bps: number): string {
  if (!Number.isFinite(bps) || bps <= 0) return '0 bit/s';
  const units = ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s'];
  let v = bps;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v >= 100 || u === 0 ? Math.round(v) : Number(v.toFixed(1))} ${units[u]}`;
}

export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n <= 0) return '0 B';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v >= 100 || u === 0 ? Math.round(v) : v.toFixed(1)} ${units[u]}`;
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return format(_('%dd %dh %dm'), d, h, m);
  if (h > 0) return format(_('%dh %dm'), h, m);
  if (m > 0) return format(_('%dm %ds'), m, s % 60);
  return format(_('%ds'), s);
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  return `${ms >= 100 ? Math.round(ms) : ms.toFixed(1)} ms`;
}

export function formatPct(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return '–';
  return `${p >= 10 || p === 0 ? Math.round(p) : p.toFixed(1)} %`;
}

// A round top for a chart's axis: 1, 2 or 5 times a power of ten, at least `min`.
export function niceCeiling(value: number, min = 1e6): number {
  const v = Math.max(value, min);
  const p = 10 ** Math.floor(Math.log10(v));
  for (const f of [1, 2, 5, 10]) if (f * p >= v) return f * p;
  return 10 * p;
}
