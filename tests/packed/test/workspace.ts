import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root, where the LICENSE and the root README live. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface PackageManifest {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  repository?: { type?: string; url?: string; directory?: string };
  homepage?: string;
  bugs?: { url?: string };
  engines?: Record<string, string>;
  bin?: Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

export interface PackedPackage {
  /** The package's directory in the repository, such as `packages/core`. */
  directory: string;
  /** package.json as published: pnpm has replaced the workspace: ranges. */
  manifest: PackageManifest;
  tarball: string;
  /** Paths inside the tarball, without the leading `package/`. */
  files: string[];
}

/** Every package that is published: packages/* that are not private. */
export function publishedDirectories(): string[] {
  return readdirSync(join(ROOT, 'packages'))
    .map((name) => `packages/${name}`)
    .filter((directory) => {
      const manifest = JSON.parse(
        readFileSync(join(ROOT, directory, 'package.json'), 'utf8'),
      ) as PackageManifest;
      return manifest.private !== true;
    });
}

/** `pnpm pack` of one package into `destination`, as a publish would pack it. */
export function pack(directory: string, destination: string): PackedPackage {
  const output = execFileSync('pnpm', ['pack', '--json', '--pack-destination', destination], {
    cwd: join(ROOT, directory),
    encoding: 'utf8',
  });
  const { filename } = JSON.parse(output) as { filename: string };
  const tarball = filename.startsWith('/') ? filename : join(destination, filename);
  const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.replace(/^package\//, ''));
  const manifest = JSON.parse(
    execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }),
  ) as PackageManifest;
  return { directory, manifest, tarball, files };
}

/** One file's text from a tarball. */
export function packedFile(packed: PackedPackage, path: string): string {
  return execFileSync('tar', ['-xzOf', packed.tarball, `package/${path}`], { encoding: 'utf8' });
}
