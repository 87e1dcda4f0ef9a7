import { readFileSync, realpathSync } from 'node:fs';

/** One line of /proc/mounts. */
export interface MountEntry {
  device: string;
  mountPoint: string;
  type: string;
  options: string;
}

/**
 * Where WAL is safe. WAL keeps its index in shared memory (the -shm file, mapped by every
 * connection) and relies on POSIX locks: both work only when every process is on one host and
 * the file system passes mmap and locks through. `network` and `shared-folder` break that;
 * an unknown FUSE file system may.
 */
export type FilesystemKind = 'local' | 'network' | 'shared-folder' | 'fuse';

const NETWORK = new Set([
  'nfs',
  'nfs4',
  'cifs',
  'smb3',
  'smbfs',
  'ncpfs',
  'afs',
  'ceph',
  'glusterfs',
  'lustre',
  'gpfs',
  'beegfs',
  'ocfs2',
  'gfs2',
  'davfs',
  'fuse.sshfs',
  'fuse.s3fs',
  'fuse.rclone',
  'fuse.glusterfs',
  'fuse.ceph-fuse',
  'fuse.gcsfuse',
  'fuse.goofys',
  'fuse.juicefs',
  'fuse.davfs2',
]);

/** Folders shared from a host into a VM or a container runtime's VM. */
const SHARED_FOLDER = new Set([
  'virtiofs',
  '9p',
  'vboxsf',
  'vmhgfs',
  'fuse.vmhgfs-fuse',
  'prl_fs',
  'drvfs',
  'fuse.grpcfuse',
  'fakeowner',
]);

export function classifyFilesystem(type: string): FilesystemKind {
  const normalised = type.toLowerCase();
  if (NETWORK.has(normalised)) return 'network';
  if (SHARED_FOLDER.has(normalised)) return 'shared-folder';
  if (normalised === 'fuse' || normalised === 'fuseblk' || normalised.startsWith('fuse.')) {
    return 'fuse';
  }
  return 'local';
}

/** /proc/mounts writes space, tab, newline and backslash in paths as octal escapes. */
function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) =>
    String.fromCharCode(Number.parseInt(octal, 8)),
  );
}

export function parseMounts(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 3) continue;
    const [device, mountPoint, type, options = ''] = fields as [string, string, string, string?];
    entries.push({
      device: unescapeMountField(device),
      mountPoint: unescapeMountField(mountPoint),
      type,
      options,
    });
  }
  return entries;
}

/**
 * The mount `path` (absolute, symlinks resolved) lives on: the longest mount point that
 * contains it; of two mounts on one point, the later one (it hides the earlier).
 */
export function findMount(path: string, mounts: readonly MountEntry[]): MountEntry | undefined {
  let best: MountEntry | undefined;
  for (const mount of mounts) {
    const point = mount.mountPoint;
    const contains =
      point === '/' || path === point || path.startsWith(point.endsWith('/') ? point : `${point}/`);
    if (contains && (!best || point.length >= best.mountPoint.length)) best = mount;
  }
  return best;
}

/** The mount a directory lives on, from /proc/mounts; undefined where there is none (macOS). */
export function mountOf(directory: string, mountsText: string | undefined): MountEntry | undefined {
  if (mountsText === undefined) return undefined;
  let real = directory;
  try {
    real = realpathSync(directory);
  } catch {
    // A directory that cannot be resolved is judged by the path given.
  }
  return findMount(real, parseMounts(mountsText));
}

/** The text of /proc/mounts; undefined where the system has none. */
export function readProcMounts(): string | undefined {
  try {
    return readFileSync('/proc/mounts', 'utf8');
  } catch {
    return undefined;
  }
}
