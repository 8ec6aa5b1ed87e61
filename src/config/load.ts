// /etc/config/bonding → the effective configuration (types.ts), or every problem in it.
// Rules: the schema in DESIGN.md "Configuration". Invalid values and missing options are
// errors; unknown sections and options are warnings. A disabled file (enabled 0) may be
// incomplete, which is how the package ships it, but what it says must still be valid.

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { UciSyntaxError } from '../uci/errors.js';
import { uciPath } from '../uci/file.js';
import type { UciPackage, UciSection } from '../uci/model.js';
import { parseUci } from '../uci/parse.js';
import { CLIENT_OPTIONS, readClient, readLinks } from './client.js';
import { Problems, SectionReader, sectionLabel } from './reader.js';
import { SERVER_OPTIONS, readPeers, readServer } from './server.js';
import { CIPHERS, DEFAULT_SCHEDULER, LOG_LEVELS, MODES, SCHEDULERS, type CommonConfig, type Config, type ConfigProblem, type Mode } from './types.js';
import { bool, ifname, integer, oneOf } from './values.js';

export type LoadResult = { config?: Config; problems: ConfigProblem[] };

export const DEFAULT_CONFIG = '/etc/config/bonding';

const SECTION_TYPES = ['bonding', 'link', 'peer'];

function readCommon(main: SectionReader, file: string): CommonConfig {
  return {
    file,
    enabled: main.get('enabled', bool)?.value ?? true,
    port: main.get('port', integer(1, 65535))?.value ?? 7010,
    device: main.get('device', ifname)?.value ?? 'bond0',
    mtu: main.get('mtu', integer(576, 9000))?.value ?? 1400,
    cipher: main.get('cipher', oneOf(CIPHERS))?.value ?? 'aes-256-gcm',
    logLevel: main.get('log_level', oneOf(LOG_LEVELS))?.value ?? 'info',
  };
}

function ofType(pkg: UciPackage, type: string): UciSection[] {
  return pkg.sections.filter((s) => s.type === type);
}

// The bonding section: exactly one. Returns undefined when there is none.
function mainSection(pkg: UciPackage, problems: Problems): SectionReader | undefined {
  const [main, ...extra] = ofType(pkg, 'bonding');
  if (!main) {
    problems.error(0, "no 'config bonding' section");
    return undefined;
  }
  for (const s of extra) problems.error(s.line, `only one bonding section is allowed (the first is at line ${main.line})`);
  return new SectionReader(main, sectionLabel(main, 0), problems);
}

function warnUnused(sections: UciSection[], mode: Mode, problems: Problems): void {
  for (const s of sections) problems.warning(s.line, `${s.type} sections are not used in ${mode} mode (ignored)`);
}

// When the mode is unknown, links and peers are still checked on their own so that one run
// reports everything.
function checkSectionsAlone(pkg: UciPackage, problems: Problems): void {
  readLinks(ofType(pkg, 'link'), problems, true);
  readPeers(ofType(pkg, 'peer'), problems, true);
}

function fromPackage(pkg: UciPackage, file: string): LoadResult {
  const problems = new Problems(file);
  for (const s of pkg.sections) {
    if (!SECTION_TYPES.includes(s.type)) problems.warning(s.line, `unknown section type '${s.type}' (ignored)`);
  }
  const main = mainSection(pkg, problems);
  if (!main) {
    checkSectionsAlone(pkg, problems);
    return { problems: sortProblems(problems.list) };
  }
  const mode = main.need('mode', oneOf(MODES), true)?.value;
  const common = readCommon(main, file);
  const scheduler = main.get('scheduler', oneOf(SCHEDULERS))?.value ?? DEFAULT_SCHEDULER;
  let config: Config | undefined;
  if (mode === 'client') {
    main.ignore(SERVER_OPTIONS, 'is only used in server mode');
    config = readClient(main, common, scheduler, ofType(pkg, 'link'), problems);
    warnUnused(ofType(pkg, 'peer'), mode, problems);
  } else if (mode === 'server') {
    main.ignore(CLIENT_OPTIONS, 'is only used in client mode');
    config = readServer(main, common, scheduler, ofType(pkg, 'peer'), problems);
    warnUnused(ofType(pkg, 'link'), mode, problems);
  } else {
    main.ignore([...CLIENT_OPTIONS, ...SERVER_OPTIONS], 'depends on the mode');
    checkSectionsAlone(pkg, problems);
  }
  main.finish();
  return { config: problems.hasErrors ? undefined : config, problems: sortProblems(problems.list) };
}

// Problems about the whole file (line 0) carry no line, like compilers print them.
export function formatProblem(p: ConfigProblem): string {
  return `${p.file}${p.line > 0 ? `:${p.line}` : ''}: ${p.severity}: ${p.message}`;
}

// File order reads best; problems about the whole file come first.
function sortProblems(list: ConfigProblem[]): ConfigProblem[] {
  return list.map((p, i) => ({ p, i })).sort((a, b) => a.p.line - b.p.line || a.i - b.i).map((x) => x.p);
}

export function parseConfigText(text: string | Uint8Array, file: string): LoadResult {
  let pkg: UciPackage;
  try {
    pkg = parseUci(text, { name: basename(file), file });
  } catch (err) {
    if (!(err instanceof UciSyntaxError)) throw err;
    return { problems: [{ file, line: err.line, severity: 'error', message: `syntax error: ${err.reason} (column ${err.column})` }] };
  }
  return fromPackage(pkg, file);
}

export function loadConfig(file: string): LoadResult {
  const path = uciPath(file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    return { problems: [{ file: path, line: 0, severity: 'error', message: `cannot read the config: ${reason}` }] };
  }
  return parseConfigText(bytes, path);
}
