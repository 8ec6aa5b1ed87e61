// Network namespaces and the processes the lab starts in them. Everything is registered so
// that close(), an exit handler or the next run's sweep removes it: a crashed run leaves
// nothing that breaks the next one.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { ip, shQuiet, sh } from './sh.js';

const live = new Set<Namespaces>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const n of live) n.closeSync();
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      for (const n of live) n.closeSync();
      process.exit(130);
    });
  }
}

export class Namespaces {
  private readonly names: string[] = [];
  private readonly children = new Set<ChildProcess>();

  constructor(readonly prefix: string) {
    hookExit();
    Namespaces.sweep(prefix);
    live.add(this);
  }

  /** Removes namespaces (and their processes) left behind by an earlier run with this prefix. */
  static sweep(prefix: string): void {
    for (const line of shQuiet('ip', ['netns', 'list']).split('\n')) {
      const name = line.split(' ')[0];
      if (name && name.startsWith(prefix + '-')) killAndDelete(name);
    }
  }

  add(short: string): string {
    const name = `${this.prefix}-${short}`;
    sh('ip', ['netns', 'add', name]);
    this.names.push(name);
    ip(name, 'link', 'set', 'lo', 'up');
    return name;
  }

  /** Starts a process inside namespace ns; it is killed when the lab closes. */
  spawn(ns: string, cmd: string, args: string[], opts: SpawnOptions = {}): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    return child;
  }

  closeSync(): void {
    for (const c of this.children) c.kill('SIGKILL');
    this.children.clear();
    for (const name of this.names.reverse()) killAndDelete(name);
    this.names.length = 0;
    live.delete(this);
  }
}

function killAndDelete(ns: string): void {
  const pids = shQuiet('ip', ['netns', 'pids', ns]).split('\n').filter(Boolean);
  if (pids.length) shQuiet('kill', ['-9', ...pids]);
  shQuiet('ip', ['netns', 'delete', ns]);
}
