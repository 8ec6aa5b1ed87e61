// A UCI syntax error. `line`/`column` are for people (physical line of the file, 1-based);
// `uciLine`/`byte` are libuci's own counters, which `libuciMessage` prints exactly as
// `uci` does, so that an error can be matched against the real tool.
export class UciSyntaxError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
    readonly line: number,
    readonly column: number,
    readonly uciLine: number,
    readonly byte: number,
  ) {
    super(`${file}:${line}:${column}: ${reason}`);
    this.name = 'UciSyntaxError';
  }

  get libuciMessage(): string {
    return `Parse error (${this.reason}) at line ${this.uciLine}, byte ${this.byte}`;
  }
}

// Misuse of the writer (bad name, missing section): a programming or input error of the
// caller, not of a file.
export class UciEditError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UciEditError';
  }
}
