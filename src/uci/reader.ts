// The line buffer libuci parses in (file.c: uci_getln). Tokens are cut out of this buffer in
// place, and continuation lines are appended to it at the parse position, so error offsets
// ("byte N") count from the start of the first line of a statement, and a NUL byte in the
// input cuts its line short. Emulating the buffer byte for byte is what makes odd inputs
// (NULs, binary garbage, ';' after a value) behave exactly as on a router.

const INITIAL_SIZE = 32;
const NL = 0x0a;

export class LineBuffer {
  bytes = new Uint8Array(INITIAL_SIZE);
  // Length of the valid text in `bytes`; libuci refuses to step past it.
  filled = 0;
  pos = 0;
  // libuci's line counter: counts lines that ended in '\n' (so an unterminated last line
  // is reported as the line before it).
  uciLine = 0;
  eof = false;
  private readPos = 0;
  private lines = 0;
  // Where each physical input line (1-based) held in the buffer starts, for messages.
  private starts: { offset: number; line: number }[] = [];

  constructor(private readonly input: Uint8Array) {}

  at(i: number): number {
    return i < this.bytes.length ? this.bytes[i]! : 0;
  }

  get cur(): number {
    return this.at(this.pos);
  }

  set(i: number, c: number): void {
    this.bytes[i] = c;
  }

  strlen(from: number): number {
    let end = from;
    while (this.at(end) !== 0) end++;
    return end - from;
  }

  text(from: number): string {
    return Buffer.from(this.bytes.subarray(from, from + this.strlen(from))).toString('utf8');
  }

  // The physical input line and column (both 1-based) of a buffer offset.
  where(offset: number): { line: number; column: number } {
    let start = { offset: 0, line: Math.max(this.lines, 1) };
    for (const s of this.starts) if (s.offset <= offset) start = s;
    return { line: start.line, column: offset - start.offset + 1 };
  }

  // Reads the next input line into the buffer at `offset`, as uci_getln does with fgets:
  // a chunk that does not end in '\n' (line longer than the buffer, a NUL inside, or EOF)
  // doubles the buffer and reads on.
  fetch(offset: number): void {
    if (offset >= this.bytes.length - 1) this.grow();
    this.starts = this.starts.filter((s) => s.offset < offset);
    let ofs = offset;
    for (;;) {
      this.bytes[ofs] = 0;
      if (!this.fgets(ofs) || this.bytes[ofs] === 0) return;
      ofs += this.strlen(ofs);
      this.filled = ofs;
      if (this.bytes[ofs - 1] === NL) {
        this.uciLine++;
        return;
      }
      this.grow();
    }
  }

  private grow(): void {
    const bigger = new Uint8Array(this.bytes.length * 2);
    bigger.set(this.bytes);
    this.bytes = bigger;
  }

  // fgets(bytes + at, size - at): at most size-at-1 bytes, up to and including '\n'.
  private fgets(at: number): boolean {
    const room = this.bytes.length - at - 1;
    if (this.readPos >= this.input.length) {
      this.eof = true;
      return false;
    }
    if (this.readPos === 0 || this.input[this.readPos - 1] === NL) this.starts.push({ offset: at, line: ++this.lines });
    let n = 0;
    while (n < room) {
      if (this.readPos >= this.input.length) {
        this.eof = true;
        break;
      }
      const c = this.input[this.readPos++]!;
      this.bytes[at + n++] = c;
      if (c === NL) break;
    }
    this.bytes[at + n] = 0;
    return true;
  }
}
