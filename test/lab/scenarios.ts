// The lab's scenarios: sets of WAN links that demo, bench and tests run on. Delays are one way.
// Settings apply to both directions unless a link says otherwise.
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { LinkSpec } from './topology.js';
import { TRACES } from './paths.js';

export interface Scenario {
  name: string;
  about: string;
  links: LinkSpec[];
  cutLink?: number; // failover: the link (1-based) cut in the middle of the transfer
}

const link = (name: string, rateMbps: number, delayMs: number, lossPct = 0): LinkSpec => ({ name, rateMbps, delayMs, lossPct });
const traced = (name: string, trace: string, delayMs: number): LinkSpec => ({ name, traceFile: `${TRACES}${trace}.trace`, delayMs, lossPct: 0 });

export const SCENARIOS: Scenario[] = [
  { name: 'sym2', about: '2 × 50 Mbit/s, 20 ms', links: [link('a', 50, 20), link('b', 50, 20)] },
  { name: 'asym2', about: '60 Mbit/s 15 ms + 20 Mbit/s 40 ms', links: [link('fast', 60, 15), link('slow', 20, 40)] },
  { name: 'lte2', about: 'two LTE-like capacity traces, 30 ms and 50 ms', links: [traced('lte_a', 'lte-a', 30), traced('lte_b', 'lte-b', 50)] },
  { name: 'lossy2', about: '40 Mbit/s 20 ms 1 % loss + 40 Mbit/s 30 ms', links: [link('lossy', 40, 20, 1), link('clean', 40, 30)] },
  { name: 'three', about: '30/20/10 Mbit/s at 10/25/40 ms', links: [link('a', 30, 10), link('b', 20, 25), link('c', 10, 40)] },
  { name: 'failover', about: '2 × 50 Mbit/s 20 ms; link 1 is cut mid-transfer', links: [link('a', 50, 20), link('b', 50, 20)], cutLink: 1 },
  { name: 'cpu', about: '2 unshaped links (kernel forwarding): what the CPU allows', links: [link('a', 0, 0), link('b', 0, 0)] },
  // harder cases, beyond the issue's list
  { name: 'rtt150', about: '40 Mbit/s 10 ms + 40 Mbit/s 160 ms (150 ms spread)', links: [link('near', 40, 10), link('far', 40, 160)] },
  { name: 'loss5', about: '40 Mbit/s 20 ms 5 % loss + 40 Mbit/s 25 ms', links: [link('bad', 40, 20, 5), link('good', 40, 25)] },
  { name: 'four', about: '40/30/20/10 Mbit/s at 10/20/30/45 ms', links: [link('a', 40, 10), link('b', 30, 20), link('c', 20, 30), link('d', 10, 45)] },
  { name: 'lte3', about: 'three LTE-like traces, 25/35/60 ms', links: [traced('lte_a', 'lte-a', 25), traced('lte_b', 'lte-b', 35), traced('lte_c', 'lte-c', 60)] },
];

export function scenario(name: string): Scenario {
  const s = SCENARIOS.find((x) => x.name === name);
  if (!s) throw new Error(`unknown scenario '${name}' (known: ${SCENARIOS.map((x) => x.name).join(', ')})`);
  return s;
}

/** The value of `--name VALUE` on a command line; undefined when it is not there. */
export function option(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  if (!argv[i + 1] || argv[i + 1]!.startsWith('--')) throw new Error(`--${name} needs a value`);
  return argv[i + 1];
}

/**
 * The scenarios a command line asks for: `--scenario NAME[,NAME…]|all` (else `fallback`), with
 * `--traces DIR` reading the trace links' files (same names: lte-a.trace, …) from DIR instead of
 * the repository's test/lab/traces/.
 */
export function scenariosFromArgs(argv: string[], fallback: string): Scenario[] {
  const which = option(argv, 'scenario') ?? fallback;
  const list = which === 'all' ? SCENARIOS : which.split(',').map(scenario);
  const dir = option(argv, 'traces');
  if (!dir) return list;
  return list.map((s) => ({
    ...s,
    links: s.links.map((l) => {
      if (!l.traceFile) return l;
      const file = join(dir, basename(l.traceFile));
      if (!existsSync(file)) throw new Error(`--traces ${dir}: scenario ${s.name} needs ${basename(l.traceFile)}, which is not there`);
      return { ...l, traceFile: file };
    }),
  }));
}

/** `--help` or `-h`: prints the usage and the scenarios, and says so (the caller then exits). */
export function printedHelp(argv: string[], usage: string): boolean {
  if (!argv.includes('--help') && !argv.includes('-h')) return false;
  console.log(`${usage}\n\nscenarios (one-way delays):\n${SCENARIOS.map((s) => `  ${s.name.padEnd(9)}${s.about}`).join('\n')}`);
  return true;
}
