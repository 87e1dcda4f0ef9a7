import { readSync } from 'node:fs';

const NEWLINE = 0x0a;
const CR = 0x0d;

/**
 * The complete lines of one read. `buffer` is reused by the next read: use (or copy) the
 * lines before asking for the next chunk.
 */
export interface LineChunk {
  buffer: Buffer;
  /** Start and end (exclusive, newline and a trailing CR left out) of each line. */
  starts: number[];
  ends: number[];
  /** Bytes consumed: up to and including the last newline. */
  bytes: number;
}

/**
 * Reads the complete lines of a file from `offset` to `end`, about `chunkBytes` at a time.
 * A last line with no newline yet is left for the next call: a writer may be in the middle
 * of it. A line longer than the chunk grows the buffer until its newline turns up.
 * Synchronous on purpose: these reads hit the page cache, and a thread-pool round trip per
 * read costs more than the read; the caller yields to the event loop between chunks.
 */
export function* readCompleteLines(
  fd: number,
  offset: number,
  end: number,
  chunkBytes: number,
): Generator<LineChunk> {
  let position = offset;
  let buffer = Buffer.allocUnsafe(Math.min(chunkBytes, Math.max(end - offset, 1)));
  while (position < end) {
    let filled = 0;
    let lastNewline = -1;
    while (lastNewline < 0 && position + filled < end) {
      if (filled === buffer.length) {
        const bigger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(bigger, 0, 0, filled);
        buffer = bigger;
      }
      const want = Math.min(buffer.length - filled, end - position - filled);
      const read = readSync(fd, buffer, filled, want, position + filled);
      if (read === 0) break;
      filled += read;
      lastNewline = buffer.lastIndexOf(NEWLINE, filled - 1);
    }
    if (lastNewline < 0) return;
    const starts: number[] = [];
    const ends: number[] = [];
    let start = 0;
    while (start <= lastNewline) {
      const newline = buffer.indexOf(NEWLINE, start);
      starts.push(start);
      ends.push(newline > start && buffer[newline - 1] === CR ? newline - 1 : newline);
      start = newline + 1;
    }
    position += lastNewline + 1;
    yield { buffer, starts, ends, bytes: lastNewline + 1 };
  }
}
