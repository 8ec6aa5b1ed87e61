// A small, strict option parser: `--name value`, `--name=value` and boolean `--flag`.
// Unknown options and missing values are errors, returned as a message for the caller to print.

export type ArgSpec = Record<string, 'string' | 'boolean'>;

export function parseArgs(argv: string[], spec: ArgSpec): Record<string, string | boolean> | string {
  const out: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) return `unexpected argument '${arg}'`;
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const kind = spec[name];
    if (!kind) return `unknown option '--${name}'`;
    if (kind === 'boolean') {
      if (eq >= 0) return `option '--${name}' takes no value`;
      out[name] = true;
    } else if (eq >= 0) {
      out[name] = arg.slice(eq + 1);
    } else {
      const value = argv[++i];
      if (value === undefined) return `option '--${name}' needs a value`;
      out[name] = value;
    }
  }
  return out;
}
