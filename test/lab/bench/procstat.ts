// CPU time of a process (user + system), from /proc/<pid>/stat, in seconds.
import { readFileSync } from 'node:fs';

export function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return NaN;
  }
}

// Resident memory of a process (VmRSS), from /proc/<pid>/status, in MB.
export function rssMB(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** CPU seconds per GB moved that a client and a server process each spent during `transfer`. */
export async function cpuPerGB<R extends { bytes: number }>(client: number, server: number, transfer: () => Promise<R>): Promise<{ result: R; clientCpuSPerGB: number; serverCpuSPerGB: number }> {
  const c0 = cpuSeconds(client), s0 = cpuSeconds(server);
  const result = await transfer();
  const gb = result.bytes / 1e9;
  return { result, clientCpuSPerGB: (cpuSeconds(client) - c0) / gb, serverCpuSPerGB: (cpuSeconds(server) - s0) / gb };
}
