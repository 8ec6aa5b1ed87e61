// The recorded `uci` corpus in test/fixtures/uci (see its README.md).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface CorpusCase {
  case: string;
  package: string;
  valid: boolean;
  error: string | null;
  description: string;
}

// Tests run from build/js/test/unit; the fixtures stay in the source tree.
function corpusDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'test/fixtures/uci/index.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('test/fixtures/uci not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return join(dir, 'test/fixtures/uci');
}

export const CORPUS = corpusDir();

export function corpusCases(): CorpusCase[] {
  return JSON.parse(readFileSync(join(CORPUS, 'index.json'), 'utf8')) as CorpusCase[];
}

export function caseFile(c: CorpusCase, name: string): Buffer | undefined {
  const p = join(CORPUS, c.case, name);
  return existsSync(p) ? readFileSync(p) : undefined;
}

export function caseMeta(c: CorpusCase): { commands: Record<string, { exit_code: number; stderr?: string }> } {
  return JSON.parse(caseFile(c, 'meta.json')!.toString('utf8'));
}
