// Generates the lab's LTE-like capacity traces (Mahimahi format: one line per 1500-byte
// delivery opportunity, in ms, looping). The rate takes a mean-reverting random walk in log
// space every 50 ms, between 2 and 50 Mbit/s, with occasional fades and recoveries, so a
// link's capacity changes several-fold within seconds, as a moving LTE link's does.
//   node build/js/test/lab/traces/generate.js   (writes test/lab/traces/lte-*.trace)
import { writeFileSync } from 'node:fs';
import { prng } from '../link/shaper.js';
import { TRACES } from '../paths.js';

const MIN = 2, MAX = 50, STEP_MS = 50;

export function lteTrace(seed: number, seconds: number, meanMbps: number): number[] {
  const random = prng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const out: number[] = [];
  let logRate = Math.log(meanMbps);
  let credit = 0; // bytes of capacity not yet handed out as an opportunity
  for (let t = 0; t < seconds * 1000; t += STEP_MS) {
    logRate += 0.08 * (Math.log(meanMbps) - logRate) + 0.18 * gauss();
    if (random() < 0.01) logRate = Math.log(MIN + random() * 4); // a fade
    if (random() < 0.01) logRate = Math.log(MAX * (0.7 + 0.3 * random())); // a burst of capacity
    logRate = Math.min(Math.log(MAX), Math.max(Math.log(MIN), logRate));
    const bytesPerMs = (Math.exp(logRate) * 1e6) / 8000;
    for (let ms = t; ms < t + STEP_MS; ms++) {
      credit += bytesPerMs;
      while (credit >= 1500) {
        out.push(ms + 1);
        credit -= 1500;
      }
    }
  }
  return out;
}

if (process.argv[1]?.endsWith('generate.js')) {
  for (const [name, seed, mean] of [['lte-a', 11, 22], ['lte-b', 23, 16], ['lte-c', 37, 12]] as const) {
    writeFileSync(`${TRACES}${name}.trace`, lteTrace(seed, 30, mean).join('\n') + '\n');
  }
}
