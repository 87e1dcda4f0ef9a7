import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { ROOT } from './workspace.js';

function readme(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8');
}

/** The ```ts blocks of a README, in order. */
export function tsBlocks(path: string): string[] {
  return [...readme(path).matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!);
}

export interface InstallLine {
  /** The line as written, for messages. */
  line: string;
  /** What it installs: package names with an optional `@range`, flags left out. */
  specs: string[];
}

/**
 * The `npm install …` and `bun add …` commands of a README's ```sh blocks, comments dropped.
 * Global installs (`-g`: tools such as pnpm for working on the repository) are not the app's.
 */
export function installLines(path: string): InstallLine[] {
  const blocks = [...readme(path).matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!);
  return blocks
    .flatMap((block) => block.split('\n'))
    .flatMap((line) => line.replace(/#.*$/, '').split(/&&|\|\||;|\|/))
    .map((command) => command.trim())
    .filter((command) => /^(npm install|npm i|bun add) /.test(command))
    .filter((command) => !/(^| )(-g|--global)( |$)/.test(command))
    .map((command) => ({
      line: command,
      specs: command
        .split(/\s+/)
        .slice(2)
        .filter((word) => !word.startsWith('-')),
    }));
}

/** `@scope/name@^1` and `name@12` to the package's name. */
export function packageName(spec: string): string {
  const at = spec.indexOf('@', 1);
  return at === -1 ? spec : spec.slice(0, at);
}

/** The packages a module imports, by name (`drizzle-orm/better-sqlite3` is `drizzle-orm`). */
export function importedPackages(code: string): string[] {
  const specifiers = [...code.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => m[1]!);
  const names = specifiers
    .filter((specifier) => !specifier.startsWith('.') && !specifier.includes(':'))
    .filter((specifier) => !builtinModules.includes(specifier))
    .map((specifier) => {
      const parts = specifier.split('/');
      return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
    });
  return [...new Set(names)];
}
