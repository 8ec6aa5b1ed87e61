// `bondd check [--config FILE] [--json]`: validate a config, print every problem on stderr as
// `FILE:LINE: error|warning: message`; with --json print the effective config on stdout.
// Exit 1 when there is any error.

import { DEFAULT_CONFIG, formatProblem, loadConfig } from '../config/load.js';

export async function check(opts: Record<string, string | boolean>): Promise<number> {
  const file = typeof opts.config === 'string' ? opts.config : DEFAULT_CONFIG;
  const { config, problems } = loadConfig(file);
  for (const p of problems) process.stderr.write(formatProblem(p) + '\n');
  if (!config) return 1;
  if (opts.json) process.stdout.write(JSON.stringify(config, null, 2) + '\n');
  return 0;
}
