// The recorded `uci` corpus in test/fixtures/uci (see its README.md).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../lab/paths.js';

export interface CorpusCase {
  case: string;
  package: string;
  valid: boolean;
  error: string | null;
  description: string;
}

export const CORPUS = join(REPO, 'test/fixtures/uci');

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
