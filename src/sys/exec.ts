// Running system tools (ip, nft, iptables, sysctl) with errors that name the command and quote
// what it printed, so that a failed setup step reads clearly in the log.
import { execFile, spawnSync } from 'node:child_process';

export function run(cmd: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { encoding: 'utf8', maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) {
        const what = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not installed' : (stderr || stdout || err.message).trim();
        reject(new Error(`${cmd} ${args.join(' ')}: ${what}`));
      } else {
        resolve(stdout);
      }
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}

/** Whether a program is on PATH. */
export function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}
