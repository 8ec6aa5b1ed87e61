// Lab tests need root (namespaces, TUN, routing). Without it they are skipped with the reason,
// rather than failing obscurely.
import { missingTools } from '../lab/sh.js';

export function needsRoot(extra: Record<string, string> = {}): string | false {
  if (process.getuid?.() !== 0) return 'needs root: network namespaces and TUN devices (run: sudo npm test)';
  const missing = missingTools({ ip: 'iproute2', ...extra });
  return missing.length ? `missing: ${missing.join(', ')}` : false;
}
