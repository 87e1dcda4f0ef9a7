import { describe, expect, test } from 'vitest';
import { parseDatabaseHeader, parseWalHeader, versionString } from '../src/database-header.js';
import { runDoctor } from '../src/doctor.js';
import { classifyFilesystem, findMount, mountOf, parseMounts } from '../src/filesystem.js';
import type { DatabaseSnapshot } from '../src/inspect.js';
import { DOCTOR_CHECKS, type DoctorContext } from '../src/internal/doctor-checks.js';
import { parseInteger, parseMode, parseSize } from '../src/internal/parse-options.js';
import { sparkline } from '../src/sparkline.js';
import { initialWatchState, observe } from '../src/wal-watch.js';
import { closedWalDatabase, newPath } from './support.js';

const PROC_MOUNTS = `overlay / overlay rw,relatime,lowerdir=/a:/b,upperdir=/c,workdir=/d 0 0
proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0
tmpfs /dev tmpfs rw,nosuid,size=65536k,mode=755 0 0
/dev/sda1 /srv ext4 rw,relatime 0 0
server:/export /srv/data nfs4 rw,relatime,vers=4.2,rsize=1048576 0 0
//nas/share /mnt/smb cifs rw,relatime,vers=3.1.1 0 0
myfs /mnt/host virtiofs rw,relatime 0 0
hostshare /mnt/9 9p rw,sync,dirsync,relatime,trans=virtio 0 0
sshfs#me@host: /mnt/remote fuse.sshfs rw,nosuid,nodev 0 0
bindfs /mnt/bind fuse.bindfs rw 0 0
/dev/sdb1 /mnt/my\\040disk xfs rw 0 0
tmpfs /srv/data/cache tmpfs rw 0 0
/dev/sdc1 /srv ext4 rw 0 0
`;

describe('/proc/mounts', () => {
  const mounts = parseMounts(PROC_MOUNTS);

  test('parses every line and unescapes octal escapes in paths', () => {
    expect(mounts).toHaveLength(13);
    expect(mounts[10]).toEqual({
      device: '/dev/sdb1',
      mountPoint: '/mnt/my disk',
      type: 'xfs',
      options: 'rw',
    });
  });

  test('the longest mount point that contains the path wins', () => {
    const typeOf = (path: string) => findMount(path, mounts)?.type;
    expect(typeOf('/srv/data/app.db')).toBe('nfs4');
    expect(typeOf('/srv/data')).toBe('nfs4');
    expect(typeOf('/srv/data/cache/app.db')).toBe('tmpfs');
    // A prefix of the name is not a parent directory.
    expect(typeOf('/srv/database/app.db')).toBe('ext4');
    expect(typeOf('/home/app/app.db')).toBe('overlay');
    expect(typeOf('/mnt/my disk/app.db')).toBe('xfs');
  });

  test('of two mounts on one point, the later one hides the earlier', () => {
    expect(findMount('/srv/app.db', mounts)?.device).toBe('/dev/sdc1');
  });

  test('classifies network, shared-folder, FUSE and local file systems', () => {
    for (const type of [
      'nfs',
      'nfs4',
      'cifs',
      'smb3',
      'smbfs',
      'fuse.sshfs',
      'ceph',
      'glusterfs',
    ]) {
      expect(classifyFilesystem(type), type).toBe('network');
    }
    for (const type of ['virtiofs', '9p', 'vboxsf', 'drvfs', 'fakeowner', 'fuse.vmhgfs-fuse']) {
      expect(classifyFilesystem(type), type).toBe('shared-folder');
    }
    expect(classifyFilesystem('fuse.bindfs')).toBe('fuse');
    expect(classifyFilesystem('fuseblk')).toBe('fuse');
    for (const type of ['ext4', 'xfs', 'btrfs', 'zfs', 'tmpfs', 'overlay', 'apfs', 'NFS']) {
      expect(classifyFilesystem(type), type).toBe(type === 'NFS' ? 'network' : 'local');
    }
  });

  test('no /proc/mounts: no mount', () => {
    expect(mountOf('/srv', undefined)).toBeUndefined();
  });

  test('doctor fails a database on NFS, SMB, virtiofs or 9p and warns on unknown FUSE', () => {
    const path = newPath();
    closedWalDatabase(path);
    const verdict = (type: string) => {
      const text = `/dev/root / ext4 rw 0 0\nremote ${path.replace(/\/test\.db$/, '')} ${type} rw 0 0\n`;
      return runDoctor(path, { mountsText: text }).checks.find((c) => c.id === 'filesystem');
    };
    expect(verdict('nfs')).toMatchObject({
      verdict: 'fail',
      detail: expect.stringContaining('network file system'),
    });
    expect(verdict('cifs')?.verdict).toBe('fail');
    expect(verdict('virtiofs')).toMatchObject({
      verdict: 'fail',
      detail: expect.stringContaining('shared from a host'),
    });
    expect(verdict('9p')?.verdict).toBe('fail');
    expect(verdict('fuse.bindfs')?.verdict).toBe('warn');
    expect(verdict('ext4')?.verdict).toBe('pass');
    expect(runDoctor(path, { mountsText: `remote / nfs rw 0 0\n` }).ok).toBe(false);
  });
});

describe('headers', () => {
  test('database header: page size, WAL mode, versions, encoding', () => {
    const bytes = Buffer.alloc(100);
    bytes.write('SQLite format 3\0', 0, 'latin1');
    bytes.writeUInt16BE(1, 16); // 65536
    bytes[18] = 2;
    bytes[19] = 2;
    bytes.writeUInt32BE(7, 24);
    bytes.writeUInt32BE(12, 28);
    bytes.writeUInt32BE(3, 36);
    bytes.writeUInt32BE(4, 52);
    bytes.writeUInt32BE(1, 56);
    bytes.writeInt32BE(42, 60);
    bytes.writeUInt32BE(1, 64);
    bytes.writeUInt32BE(7, 92);
    bytes.writeUInt32BE(3_053_002, 96);
    expect(parseDatabaseHeader(bytes)).toEqual({
      pageSize: 65_536,
      journalMode: 'wal',
      headerPageCount: 12,
      freelistPages: 3,
      autoVacuum: 'incremental',
      textEncoding: 'UTF-8',
      userVersion: 42,
      applicationId: 0,
      lastWriterVersion: '3.53.2',
    });
    bytes.writeUInt32BE(8, 92); // stale: the page count in the header is not to be trusted
    bytes[18] = 1;
    expect(parseDatabaseHeader(bytes)).toMatchObject({
      headerPageCount: undefined,
      journalMode: 'rollback',
    });
    expect(parseDatabaseHeader(Buffer.from('not a database at all'.padEnd(100)))).toBeUndefined();
    expect(parseDatabaseHeader(bytes.subarray(0, 50))).toBeUndefined();
  });

  test('versions', () => {
    expect(versionString(3_051_003)).toBe('3.51.3');
    expect(versionString(3_007_000)).toBe('3.7.0');
    expect(versionString(0)).toBeUndefined();
  });

  test('WAL header', () => {
    const bytes = Buffer.alloc(32);
    bytes.writeUInt32BE(0x377f0682, 0);
    bytes.writeUInt32BE(3_007_000, 4);
    bytes.writeUInt32BE(4096, 8);
    bytes.writeUInt32BE(5, 12);
    bytes.writeUInt32BE(0xdeadbeef, 16);
    expect(parseWalHeader(bytes)).toEqual({
      pageSize: 4096,
      checkpointSequence: 5,
      salt: 0xdeadbeef,
    });
    expect(parseWalHeader(Buffer.alloc(32))).toBeUndefined();
    expect(parseWalHeader(Buffer.alloc(8))).toBeUndefined();
  });
});

test('sparkline scales from 0 to the maximum and keeps the last values', () => {
  expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7, 8], 9)).toBe('▁▁▂▃▄▅▆▇█');
  expect(sparkline([0, 0, 0], 3)).toBe('▁▁▁');
  expect(sparkline([5, 10, 10], 2)).toBe('██');
  expect(sparkline([], 10)).toBe('');
});

test('option parsers name the option and the bad value', () => {
  expect(parseMode('truncate')).toBe('TRUNCATE');
  expect(parseMode('Passive')).toBe('PASSIVE');
  expect(() => parseMode('fast')).toThrow(
    'unknown checkpoint mode "fast": use passive, full, restart or truncate',
  );
  const interval = parseInteger('--interval', 50, 1000);
  expect(interval('100')).toBe(100);
  for (const bad of ['-5', '0', '1.5', 'soon', '', '1e3', '5000']) {
    expect(() => interval(bad), bad).toThrow(
      `--interval must be a whole number from 50 to 1000, got "${bad}"`,
    );
  }
  const size = parseSize('--wal-cap', 4096);
  expect(size('64MiB')).toBe(64 * 2 ** 20);
  expect(size('64m')).toBe(64 * 2 ** 20);
  expect(size('1.5G')).toBe(1.5 * 2 ** 30);
  expect(size('8192')).toBe(8192);
  for (const bad of ['-1', '10', '64 parsecs', 'MiB'])
    expect(() => size(bad), bad).toThrow('--wal-cap');
});

describe('doctor checks that infer per-connection settings from the files', () => {
  const MIB = 2 ** 20;
  function context(wal: Partial<DatabaseSnapshot['wal']>, databaseBytes = 10 * MIB): DoctorContext {
    const snapshot: DatabaseSnapshot = {
      path: '/srv/app.db',
      journalMode: 'wal',
      header: undefined,
      pageSize: 4096,
      databaseBytes,
      pageCount: databaseBytes / 4096,
      wal: { exists: true, bytes: 0, header: undefined, frames: 0, backfilledFrames: 0, ...wal },
      shm: { exists: true, bytes: 32768 },
      sqlite: { library: '3.53.2', lastWriter: '3.53.2' },
      sampledAt: 0,
    };
    return {
      files: {
        path: '/srv/app.db',
        absolute: '/srv/app.db',
        directory: '/srv',
        wal: '/srv/app.db-wal',
        shm: '/srv/app.db-shm',
      },
      snapshot,
      mountsText: undefined,
      sqliteLibrary: '3.53.2',
    };
  }
  const run = (id: string, ctx: DoctorContext) =>
    DOCTOR_CHECKS.map((check) => check(ctx)).find((check) => check.id === id)!;

  test('journal_size_limit: a big -wal file whose log started over was never truncated', () => {
    expect(run('journal-size-limit', context({ bytes: 200 * MIB, frames: 10 }))).toMatchObject({
      verdict: 'warn',
      detail: expect.stringContaining('journal_size_limit is unset or large'),
    });
    expect(run('journal-size-limit', context({ bytes: 200 * MIB, frames: 50_000 })).verdict).toBe(
      'info',
    );
    expect(run('journal-size-limit', context({ bytes: 30 * MIB, frames: 10 })).verdict).toBe(
      'info',
    );
    expect(
      run('journal-size-limit', context({ bytes: 200 * MIB, frames: undefined })).verdict,
    ).toBe('info');
  });

  test('autocheckpoint: frames piling up unbackfilled', () => {
    expect(
      run('autocheckpoint', context({ bytes: 60 * MIB, frames: 15_000, backfilledFrames: 0 })),
    ).toMatchObject({
      verdict: 'warn',
      detail: expect.stringContaining('15000 frames wait to be copied back'),
    });
    expect(
      run('autocheckpoint', context({ bytes: 60 * MIB, frames: 15_000, backfilledFrames: 14_000 }))
        .verdict,
    ).toBe('info');
  });

  test('WAL size: larger than the database warns, much larger fails', () => {
    expect(run('wal-size', context({ bytes: 20 * MIB })).verdict).toBe('warn');
    expect(run('wal-size', context({ bytes: 100 * MIB })).verdict).toBe('fail');
    expect(run('wal-size', context({ bytes: 100 * MIB }, 50 * MIB)).verdict).toBe('warn');
    expect(run('wal-size', context({ bytes: 4 * MIB }, 1 * MIB)).verdict).toBe('pass');
  });

  test('SQLite version: this CLI older than 3.51.3 fails too', () => {
    expect(run('sqlite-version', { ...context({}), sqliteLibrary: '3.50.4' })).toMatchObject({
      verdict: 'fail',
      detail: expect.stringContaining("this CLI's 3.50.4"),
    });
  });
});

describe('watch: checkpoints seen by backfill movement', () => {
  function snapshot(at: number, wal: Partial<DatabaseSnapshot['wal']>): DatabaseSnapshot {
    return {
      path: 'app.db',
      journalMode: 'wal',
      header: undefined,
      pageSize: 4096,
      databaseBytes: 4096,
      pageCount: 1,
      wal: {
        exists: true,
        bytes: 4096,
        header: { pageSize: 4096, checkpointSequence: 0, salt: 1 },
        frames: 0,
        backfilledFrames: 0,
        ...wal,
      },
      shm: { exists: true, bytes: 32768 },
      sqlite: { library: '3.53.2', lastWriter: '3.53.2' },
      sampledAt: at,
    };
  }
  const options = { walCapBytes: 64 * 2 ** 20 };

  test('backfill moving forward is a checkpoint; the log starting over is a reset', () => {
    let state = initialWatchState(0);
    state = observe(state, snapshot(0, { frames: 100, backfilledFrames: 0 }), options);
    expect(state.checkpointsSeen).toBe(0);
    state = observe(state, snapshot(1000, { frames: 150, backfilledFrames: 0 }), options);
    expect(state.checkpointsSeen).toBe(0);
    state = observe(state, snapshot(2000, { frames: 150, backfilledFrames: 120 }), options);
    expect(state).toMatchObject({ checkpointsSeen: 1, resetsSeen: 0, lastCheckpointSeenAt: 2000 });
    state = observe(state, snapshot(3000, { frames: 150, backfilledFrames: 150 }), options);
    expect(state).toMatchObject({ checkpointsSeen: 2, lastCompleteAt: 3000 });
    // The writer started the log over: fewer frames.
    state = observe(state, snapshot(4000, { frames: 20, backfilledFrames: 0 }), options);
    expect(state).toMatchObject({ checkpointsSeen: 3, resetsSeen: 1, lastCompleteAt: 4000 });
    // A reset between two samples that left more frames than before: the salt changed.
    state = observe(
      state,
      snapshot(5000, {
        frames: 400,
        backfilledFrames: 0,
        header: { pageSize: 4096, checkpointSequence: 1, salt: 2 },
      }),
      options,
    );
    expect(state).toMatchObject({ checkpointsSeen: 4, resetsSeen: 2 });
    expect(state.walHistory).toHaveLength(6);
    expect(state.health?.status).toBe('ok');
  });

  test('no complete checkpoint for five minutes with frames waiting: stale', () => {
    let state = initialWatchState(0);
    state = observe(state, snapshot(0, { frames: 100, backfilledFrames: 10 }), options);
    state = observe(state, snapshot(6 * 60_000, { frames: 200, backfilledFrames: 10 }), options);
    expect(state.health).toMatchObject({
      status: 'degraded',
      reasons: [expect.objectContaining({ code: 'CHECKPOINT_STALE' })],
    });
  });

  test('keeps a bounded history', () => {
    let state = initialWatchState(0);
    for (let i = 0; i < 10; i++)
      state = observe(state, snapshot(i, { bytes: i }), { ...options, historySize: 4 });
    expect(state.walHistory).toEqual([6, 7, 8, 9]);
  });
});
