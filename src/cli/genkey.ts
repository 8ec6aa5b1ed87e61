import { randomBytes } from 'node:crypto';

// A key is 32 random bytes in base64, shared by a client and its peer section on the server.
export async function genkey(): Promise<number> {
  process.stdout.write(randomBytes(32).toString('base64') + '\n');
  return 0;
}
