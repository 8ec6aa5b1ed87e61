// A stand-in for OpenWrt's `uci` command line, built on the project's own UCI code (src/uci),
// for testing the package's shell scripts (uci-defaults, removal, init script, hotplug) here,
// where there is no libuci. Like the real tool it stages changes until `commit`: a changed
// package is kept whole in the save directory (libuci keeps deltas in /tmp/.uci), later
// commands read it from there, and `commit` writes it into the config directory.
//
//   node uci-cli.js [-q] [-c CONFDIR] [-P SAVEDIR] COMMAND ARGS…
//   get PKG.SEC[.OPT] | set PKG.SEC=TYPE | set PKG.SEC.OPT=VALUE | add PKG TYPE |
//   add_list PKG.SEC.OPT=VALUE | delete PKG.SEC[.OPT] | commit [PKG] | revert PKG |
//   show [PKG[.SEC[.OPT]]] | export [PKG]
//
// Exit status and messages follow uci's (`uci: Entry not found`, status 1); -q silences them.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  addListItem,
  addSection,
  deleteOption,
  deleteSection,
  exportUci,
  findSection,
  getOption,
  parseUci,
  serializeUci,
  setOption,
  showUci,
  UciEditError,
  UciSyntaxError,
  writeUciFile,
  type UciPackage,
} from '../../src/uci/index.js';

class CliError extends Error {}
const notFound = () => new CliError('Entry not found');
const invalid = () => new CliError('Invalid argument');

interface Dirs {
  conf: string;
  save: string;
}

function load(dirs: Dirs, name: string): UciPackage {
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw invalid();
  const staged = join(dirs.save, name);
  const file = existsSync(staged) ? staged : join(dirs.conf, name);
  if (!existsSync(file)) throw notFound();
  try {
    return parseUci(readFileSync(file), { name, file });
  } catch (err) {
    if (err instanceof UciSyntaxError) throw new CliError(err.libuciMessage);
    throw err;
  }
}

function stage(dirs: Dirs, pkg: UciPackage): void {
  mkdirSync(dirs.save, { recursive: true });
  writeFileSync(join(dirs.save, pkg.name), serializeUci(pkg));
}

// PKG.SEC.OPT=VALUE → its parts; the value may contain dots and '='.
function parseRef(ref: string, withValue: boolean) {
  let value: string | undefined;
  const eq = ref.indexOf('=');
  if (eq >= 0) {
    value = ref.slice(eq + 1);
    ref = ref.slice(0, eq);
  }
  if (withValue !== (value !== undefined)) throw invalid();
  const [pkg, section, option, ...rest] = ref.split('.');
  if (!pkg || rest.length || section === '' || option === '') throw invalid();
  return { pkg, section, option, value };
}

function run(dirs: Dirs, command: string, args: string[], out: (s: string) => void): void {
  switch (command) {
    case 'get': {
      const r = parseRef(args[0] ?? '', false);
      if (!r.section) throw invalid();
      const section = findSection(load(dirs, r.pkg), r.section);
      if (!section) throw notFound();
      if (!r.option) return out(section.type + '\n');
      const o = getOption(section, r.option);
      if (!o) throw notFound();
      return out((o.kind === 'string' ? o.value : o.items.map((i) => i.value).join(' ')) + '\n');
    }
    case 'set':
    case 'add_list': {
      const r = parseRef(args[0] ?? '', true);
      if (!r.section) throw invalid();
      const pkg = load(dirs, r.pkg);
      const section = findSection(pkg, r.section);
      if (!r.option) {
        if (command === 'add_list') throw invalid();
        if (section) section.type = r.value!;
        else addSection(pkg, r.value!, r.section);
      } else {
        if (!section) throw notFound();
        if (command === 'set') setOption(section, r.option, r.value!);
        else addListItem(section, r.option, r.value!);
      }
      return stage(dirs, pkg);
    }
    case 'add': {
      const [name, type] = args;
      if (!name || !type) throw invalid();
      const pkg = load(dirs, name);
      const section = addSection(pkg, type);
      stage(dirs, pkg);
      return out(section.name + '\n');
    }
    case 'delete': {
      const r = parseRef(args[0] ?? '', false);
      if (!r.section) throw invalid();
      const pkg = load(dirs, r.pkg);
      const section = findSection(pkg, r.section);
      if (!section) throw notFound();
      if (r.option) {
        if (!deleteOption(section, r.option)) throw notFound();
      } else deleteSection(pkg, section);
      return stage(dirs, pkg);
    }
    case 'commit': {
      const names = args.length ? args : existsSync(dirs.save) ? readdirSync(dirs.save) : [];
      for (const name of names) {
        const staged = join(dirs.save, name);
        if (!existsSync(staged)) continue;
        writeUciFile(join(dirs.conf, name), load(dirs, name));
        rmSync(staged);
      }
      return;
    }
    case 'revert': {
      const r = parseRef(args[0] ?? '', false);
      rmSync(join(dirs.save, r.pkg), { force: true });
      return;
    }
    case 'show':
    case 'export': {
      const r = args[0] ? parseRef(args[0], false) : undefined;
      const names = r ? [r.pkg] : readdirSync(dirs.conf).filter((n) => !n.startsWith('.'));
      for (const name of names.sort()) {
        const pkg = load(dirs, name);
        if (command === 'export') {
          if (r?.section) throw invalid();
          out(exportUci(pkg));
          continue;
        }
        let text = showUci(pkg);
        if (r?.section) {
          const section = findSection(pkg, r.section);
          if (!section) throw notFound();
          const only: UciPackage = { ...pkg, sections: [section] };
          text = showUci(only);
          if (r.option) {
            const line = text.split('\n').find((l) => l.startsWith(`${name}.${r.section}.${r.option}=`));
            if (!line) throw notFound();
            text = line + '\n';
          }
        }
        out(text);
      }
      return;
    }
    default:
      throw invalid();
  }
}

function main(argv: string[]): number {
  const dirs: Dirs = { conf: '/etc/config', save: '/tmp/.uci' };
  let quiet = false;
  let i = 0;
  for (; i < argv.length && argv[i]!.startsWith('-'); i++) {
    const flag = argv[i]!;
    if (flag === '-q') quiet = true;
    else if (flag === '-c') dirs.conf = argv[++i] ?? '';
    else if (flag === '-P') dirs.save = argv[++i] ?? '';
    else {
      process.stderr.write(`uci: unsupported option ${flag}\n`);
      return 1;
    }
  }
  const [command, ...args] = argv.slice(i);
  let output = '';
  try {
    run(dirs, command ?? '', args, (s) => (output += s));
  } catch (err) {
    if (!(err instanceof CliError || err instanceof UciEditError)) throw err;
    if (!quiet) process.stderr.write(`uci: ${err instanceof CliError ? err.message : 'Invalid argument'}\n`);
    return 1;
  }
  process.stdout.write(output);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
