// Cuts the byte stream of a ubus socket into messages. A message is 8 header bytes plus
// the container, whose length is in the low 24 bits of bytes 8..11; reads may end
// anywhere, so bytes are held until a whole message is there. Chunks are joined once per
// message, not once per read, so a 1 MiB message arriving in small reads stays linear.
import { pad4 } from './blob.js';
import { HEADER_LEN, MAX_MSGLEN } from './message.js';

const PEEK = HEADER_LEN + 4;

export class FrameReader {
  private chunks: Buffer[] = [];
  private size = 0;

  // Returns the complete messages now available. Throws on a header that libubus would
  // refuse (version not 0, container shorter than its own header or over 1 MiB); the
  // stream cannot be resynchronised after that.
  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.size += chunk.length;
    const frames: Buffer[] = [];
    while (this.size >= PEEK) {
      const head = this.front(PEEK);
      if (head[0] !== 0) throw new RangeError(`ubus message version ${head[0]}`);
      const len = head.readUInt32BE(HEADER_LEN) & 0x00ffffff;
      if (len < 4 || pad4(len) > MAX_MSGLEN) throw new RangeError(`ubus message container of ${len} bytes`);
      const total = HEADER_LEN + len;
      if (this.size < total) break;
      const all = this.front(total);
      frames.push(all.subarray(0, total));
      const rest = all.subarray(total);
      this.chunks = rest.length > 0 ? [rest, ...this.chunks.slice(1)] : this.chunks.slice(1);
      this.size -= total;
    }
    return frames;
  }

  // The first chunk, joined with the following ones until it holds at least n bytes.
  private front(n: number): Buffer {
    if (this.chunks[0]!.length < n) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0]!;
  }
}
