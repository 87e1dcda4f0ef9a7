import { closeSync, openSync, readSync } from 'node:fs';

/** The first 16 bytes of every SQLite database file. */
export const SQLITE_MAGIC = 'SQLite format 3\0';

/** What the 100-byte header of a database file says (https://sqlite.org/fileformat.html). */
export interface DatabaseHeader {
  pageSize: number;
  /** From the file format version bytes: 2 is WAL, 1 is a rollback journal (DELETE and the rest). */
  journalMode: 'wal' | 'rollback';
  /** Pages the header says the database has (valid only when the header is current). */
  headerPageCount: number | undefined;
  freelistPages: number;
  autoVacuum: 'none' | 'full' | 'incremental';
  /** Undefined until the first table is created. */
  textEncoding: 'UTF-8' | 'UTF-16le' | 'UTF-16be' | undefined;
  userVersion: number;
  applicationId: number;
  /** The SQLite version that last wrote the database (its `SQLITE_VERSION_NUMBER`). */
  lastWriterVersion: string | undefined;
}

const ENCODINGS = { 1: 'UTF-8', 2: 'UTF-16le', 3: 'UTF-16be' } as const;

/**
 * Parses a database header. Undefined when the bytes are not one: shorter than 100 bytes or
 * without the magic string.
 */
export function parseDatabaseHeader(bytes: Buffer): DatabaseHeader | undefined {
  if (bytes.length < 100 || bytes.toString('latin1', 0, 16) !== SQLITE_MAGIC) return undefined;
  const rawPageSize = bytes.readUInt16BE(16);
  const changeCounter = bytes.readUInt32BE(24);
  const headerPageCount = bytes.readUInt32BE(28);
  const versionValidFor = bytes.readUInt32BE(92);
  const largestRootPage = bytes.readUInt32BE(52);
  const encoding = bytes.readUInt32BE(56);
  return {
    pageSize: rawPageSize === 1 ? 65_536 : rawPageSize,
    journalMode: bytes[18] === 2 && bytes[19] === 2 ? 'wal' : 'rollback',
    headerPageCount:
      headerPageCount > 0 && changeCounter === versionValidFor ? headerPageCount : undefined,
    freelistPages: bytes.readUInt32BE(36),
    autoVacuum:
      largestRootPage === 0 ? 'none' : bytes.readUInt32BE(64) !== 0 ? 'incremental' : 'full',
    textEncoding: ENCODINGS[encoding as keyof typeof ENCODINGS],
    userVersion: bytes.readInt32BE(60),
    applicationId: bytes.readInt32BE(68),
    lastWriterVersion: versionString(bytes.readUInt32BE(96)),
  };
}

/** `3053002` is `3.53.2`; 0 (never set) is undefined. */
export function versionString(number: number): string | undefined {
  if (number === 0) return undefined;
  const major = Math.floor(number / 1_000_000);
  const minor = Math.floor((number % 1_000_000) / 1000);
  return `${major}.${minor}.${number % 1000}`;
}

/** What the 32-byte header of a -wal file says. */
export interface WalHeader {
  pageSize: number;
  /** Incremented by every WAL reset. */
  checkpointSequence: number;
  /** Changes with every reset: a new salt means the log started over. */
  salt: number;
}

export function parseWalHeader(bytes: Buffer): WalHeader | undefined {
  if (bytes.length < 32) return undefined;
  const magic = bytes.readUInt32BE(0);
  if (magic !== 0x377f0682 && magic !== 0x377f0683) return undefined;
  return {
    pageSize: bytes.readUInt32BE(8),
    checkpointSequence: bytes.readUInt32BE(12),
    salt: bytes.readUInt32BE(16),
  };
}

/** Reads the first `length` bytes of a file with a read-only descriptor (fewer if it is short). */
export function readPrefix(path: string, length: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const read = readSync(fd, buffer, 0, length, 0);
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}
