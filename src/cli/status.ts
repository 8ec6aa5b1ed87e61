// `bondd status [--json] [--control PATH]`: asks the running daemon and prints the table (or
// the status JSON).
import { request, DEFAULT_CONTROL } from '../control/socket.js';
import { statusTable } from '../status/table.js';
import type { Status } from '../status/status.js';

export async function status(opts: Record<string, string | boolean>): Promise<number> {
  let s: Status;
  try {
    s = (await request((opts.control as string) ?? DEFAULT_CONTROL, 'status')) as Status;
  } catch (err) {
    process.stderr.write(`bondd status: ${(err as Error).message}\n`);
    return 1;
  }
  process.stdout.write(opts.json ? JSON.stringify(s, null, 2) + '\n' : statusTable(s));
  return 0;
}
