// bondd: the bond daemon and its command line (see DESIGN.md, "Command line").
//   bondd [--config FILE] [--control PATH] [--ubus-socket PATH]   run the daemon
//   bondd check [--config FILE] [--json]                          validate a config
//   bondd genkey                                                  print a new key
//   bondd status [--json] [--control PATH] [--ubus-socket PATH]   ask the running daemon
import { parseArgs, type ArgSpec } from './cli/args.js';

const commands: Record<string, { spec: ArgSpec; run: (opts: Record<string, string | boolean>) => Promise<number> }> = {
  run: {
    spec: { config: 'string', control: 'string', 'ubus-socket': 'string' },
    run: async (o) => (await import('./cli/run.js')).run(o),
  },
  check: {
    spec: { config: 'string', json: 'boolean' },
    run: async (o) => (await import('./cli/check.js')).check(o),
  },
  genkey: { spec: {}, run: async () => (await import('./cli/genkey.js')).genkey() },
  status: {
    spec: { json: 'boolean', control: 'string', 'ubus-socket': 'string' },
    run: async (o) => (await import('./cli/status.js')).status(o),
  },
};

async function main(argv: string[]): Promise<number> {
  const name = argv[0] && !argv[0].startsWith('-') ? argv[0] : 'run';
  const command = commands[name];
  if (!command) {
    process.stderr.write(`bondd: unknown command '${name}' (commands: ${Object.keys(commands).join(', ')})\n`);
    return 2;
  }
  const rest = name === argv[0] ? argv.slice(1) : argv;
  const parsed = parseArgs(rest, command.spec);
  if (typeof parsed === 'string') {
    process.stderr.write(`bondd ${name}: ${parsed}\n`);
    return 2;
  }
  return command.run(parsed);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined && code !== 0) process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bondd: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
