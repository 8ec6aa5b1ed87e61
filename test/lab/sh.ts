// Running system commands for the lab: synchronous (setup and cleanup must finish even in an
// exit handler) and with errors that show the command and what it printed.
import { execFileSync, spawnSync } from 'node:child_process';

export function sh(cmd: string, args: string[], input?: string): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], input });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; status?: number };
    throw new Error(`${cmd} ${args.join(' ')} failed (exit ${e.status}): ${(e.stderr || e.stdout || '').trim()}`);
  }
}

/** Like sh() but never throws: for cleanup, where "already gone" is fine. */
export function shQuiet(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? r.stdout : '';
}

/** `ip` inside namespace ns (or the current one when ns is null). */
export function ip(ns: string | null, ...args: string[]): string {
  return sh('ip', ns ? ['-n', ns, ...args] : args);
}

/** Runs a batch of `ip` commands in one process (`ip -batch`), which is much faster than one each. */
export function ipBatch(ns: string, lines: string[]): void {
  if (lines.length) sh('ip', ['-n', ns, '-batch', '-'], lines.join('\n') + '\n');
}

export function sysctl(ns: string, settings: Record<string, string | number>): void {
  const args = Object.entries(settings).map(([k, v]) => `${k}=${v}`);
  sh('ip', ['netns', 'exec', ns, 'sysctl', '-q', '-w', ...args]);
}

/** What the lab needs from the machine, with the Debian package that provides it. */
export function missingTools(tools: Record<string, string>): string[] {
  return Object.entries(tools)
    .filter(([bin]) => spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0)
    .map(([bin, pkg]) => `${bin} (apt-get install -y ${pkg})`);
}
