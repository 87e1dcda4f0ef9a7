import { rmSync, writeFileSync } from 'node:fs';

/**
 * Runs a README's code example as a user would: written as a module beside the calling test
 * (`beside`, its `import.meta.url`, so the example's imports resolve from that package), run
 * with `cwd` as the working directory, and returns every `console.log` call's arguments.
 */
export async function runExample(
  code: string,
  { beside, cwd }: { beside: string; cwd: string },
): Promise<unknown[][]> {
  const file = new URL(`./.readme-example-${process.pid}-${Date.now()}.ts`, beside);
  writeFileSync(file, code);
  const logged: unknown[][] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => void logged.push(args);
  const before = process.cwd();
  process.chdir(cwd);
  try {
    await import(file.href);
  } finally {
    process.chdir(before);
    console.log = log;
    rmSync(file);
  }
  return logged;
}
