// Argument scanning in libuci's style (file.c: parse_str and friends): arguments are
// unquoted words, '...' (literal) or "..." (backslash takes the next byte), concatenated
// like shell words; quotes may span lines; a backslash at the end of a line joins the next
// line; '#' starts a comment and ';' ends a command. Arguments are unquoted in place in the
// line buffer and NUL-terminated there, which is what gives ';' its odd behaviour: when an
// unquoted word runs right up to the ';', its terminator overwrites the ';' and the rest of
// the line is lost, while `'a';` keeps it.

import { UciSyntaxError } from './errors.js';
import { isValidName, isValidPackageName } from './names.js';
import type { LineBuffer } from './reader.js';

const TAB = 0x09;
const NL = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const DQUOTE = 0x22;
const HASH = 0x23;
const SQUOTE = 0x27;
const SEMI = 0x3b;
const BACKSLASH = 0x5c;

// C isspace() in the C locale; bytes >= 0x80 are never blanks.
function isSpace(c: number): boolean {
  return c === SPACE || (c >= TAB && c <= CR);
}

export type ArgKind = 'text' | 'name' | 'package';

export class Lexer {
  // Where the unquoted argument is being written back into the buffer (at or before pos).
  private out = 0;
  // Where the last argument started, to point people at it.
  argStart = 0;

  constructor(
    readonly buf: LineBuffer,
    readonly file: string,
  ) {}

  // libuci reports the parse position (usually just past the offending token); people get
  // the line and column of `at`, the start of what is wrong.
  fail(reason: string, at = this.buf.pos): never {
    const b = this.buf;
    const { line, column } = b.where(at);
    throw new UciSyntaxError(this.file, reason, line, column, b.uciLine, b.pos);
  }

  skipSpace(): void {
    const b = this.buf;
    while (b.cur !== 0 && isSpace(b.cur)) b.pos++;
  }

  // The command word, found like strtok(" \t") from the current position: it is
  // NUL-terminated in place but, as in libuci, the position does not move.
  commandWord(): string | undefined {
    const b = this.buf;
    let start = b.pos;
    while (b.at(start) === SPACE || b.at(start) === TAB) start++;
    if (b.at(start) === 0) return undefined;
    let end = start;
    while (b.at(end) !== 0 && b.at(end) !== SPACE && b.at(end) !== TAB) end++;
    if (b.at(end) !== 0) b.set(end, 0);
    return b.text(start);
  }

  // Steps over the command word (uci_increase_pos): fails when nothing follows it.
  skipCommandWord(reason: string): void {
    const b = this.buf;
    const next = b.pos + b.strlen(b.pos) + 1;
    if (next > b.filled) this.fail(reason);
    b.pos = next;
  }

  // The next argument, NUL-terminated in the buffer; '' when there is none.
  arg(required: boolean, kind: ArgKind): string {
    const b = this.buf;
    this.skipSpace();
    const start = b.pos;
    this.argStart = start;
    if (b.cur === SEMI) {
      b.set(b.pos, 0);
      b.pos++;
    } else {
      this.out = start;
      this.word();
    }
    const value = b.text(start);
    if (value === '') {
      if (required) this.fail('insufficient arguments');
      return value;
    }
    if (kind !== 'text' && !(kind === 'name' ? isValidName(value) : isValidPackageName(value))) {
      this.fail('invalid character in name field', start);
    }
    return value;
  }

  // assert_eol: whatever argument follows is an error in strict mode and dropped otherwise.
  endOfCommand(strict: boolean): void {
    this.skipSpace();
    if (this.arg(false, 'text') !== '' && strict) this.fail('too many arguments', this.argStart);
  }

  private copy(): void {
    const b = this.buf;
    b.set(this.out++, b.cur);
    b.pos++;
  }

  // After a backslash: false when it ended the line and the next line was joined instead.
  private escape(): boolean {
    const b = this.buf;
    b.pos++;
    const c = b.cur;
    if (c === 0 || c === NL || (c === CR && b.at(b.pos + 1) === NL && b.at(b.pos + 2) === 0)) {
      b.fetch(b.pos);
      return false;
    }
    return true;
  }

  // One argument: quoted and unquoted pieces up to a blank, a comment or a ';'.
  private word(): void {
    const b = this.buf;
    let more = true;
    do {
      const c = b.cur;
      if (c === SQUOTE) this.quoted(SQUOTE);
      else if (c === DQUOTE) this.quoted(DQUOTE);
      else if (c === HASH) {
        b.set(b.pos, 0);
        break;
      } else if (c === 0) break;
      else if (c === SEMI) {
        more = false;
        break;
      } else if (c !== BACKSLASH || this.escape()) this.copy();
    } while (b.cur !== 0 && !isSpace(b.cur));
    // Step over the blank that ended the word; a ';' stays for the next argument to eat.
    if (b.cur !== 0 && more) b.pos++;
    b.set(this.out, 0);
  }

  private quoted(quote: number): void {
    const b = this.buf;
    const open = b.pos++;
    for (;;) {
      const c = b.cur;
      if (c === quote) {
        b.pos++;
        return;
      }
      if (c === 0) {
        b.fetch(b.pos);
        if (b.cur === 0) this.fail(`EOF with unterminated ${String.fromCharCode(quote)}`, open);
      } else if (quote === SQUOTE || c !== BACKSLASH || this.escape()) {
        this.copy();
      }
    }
  }
}
