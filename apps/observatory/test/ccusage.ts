import { execFile } from 'node:child_process';
import { accessSync, chmodSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

// ccusage, the reference: its native binary for linux-x64 (pinned beside the launcher as a
// devDependency), run offline on a folder that holds `projects/`.

const require = createRequire(import.meta.url);

/** The native binary. npm's tarball drops its exec bit; ccusage's launcher sets it the same way. */
export function ccusageBinary(): string {
  const pkg = require.resolve('@ccusage/ccusage-linux-x64/package.json');
  const binary = join(dirname(pkg), 'bin', 'ccusage');
  try {
    accessSync(binary, constants.X_OK);
  } catch {
    chmodSync(binary, 0o755);
  }
  return binary;
}

export interface CcusageDay {
  date: string;
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  totalTokens: number;
  totalCost: number;
  modelsUsed: string[];
  modelBreakdowns: {
    modelName: string;
    inputTokens: number;
    outputTokens: number;
    cacheCreationTokens: number;
    cacheReadTokens: number;
    cost: number;
  }[];
}

/** `ccusage claude <report> --json --offline` over `<configDir>/projects`, parsed. */
export async function runCcusage(
  configDir: string,
  args: readonly string[],
): Promise<Record<string, unknown>> {
  const { stdout } = await promisify(execFile)(
    ccusageBinary(),
    ['claude', ...args, '--json', '--offline'],
    {
      // Its own home too, so no config or other agent's data of this machine is read.
      env: { PATH: process.env.PATH, HOME: configDir, CLAUDE_CONFIG_DIR: configDir, NO_COLOR: '1' },
      maxBuffer: 256 * 2 ** 20,
      timeout: 120_000,
    },
  );
  return JSON.parse(stdout) as Record<string, unknown>;
}
