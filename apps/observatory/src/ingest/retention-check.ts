import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';

/** Claude Code's default `cleanupPeriodDays`: transcripts older than this are deleted. */
export const CLAUDE_DEFAULT_CLEANUP_DAYS = 30;

export interface RetentionCheck {
  settings: string;
  /** The setting as found; null when unset (Claude Code then deletes after 30 days). */
  cleanupPeriodDays: number | null;
  /** Set when Claude Code deletes transcripts within 30 days: the archive is all that keeps them. */
  warning: string | null;
}

/**
 * Where Claude Code's settings are for a transcripts root: `<config>/settings.json` beside
 * `<config>/projects`, else `$CLAUDE_CONFIG_DIR` or `~/.claude`.
 */
export function claudeSettingsPath(root: string): string {
  if (basename(root) === 'projects') return join(dirname(root), 'settings.json');
  return join(process.env.CLAUDE_CONFIG_DIR ?? join(homedir(), '.claude'), 'settings.json');
}

/** Reads (only reads) Claude Code's settings and says whether old transcripts get deleted. */
export function checkRetention(settings: string): RetentionCheck {
  let days: number | null = null;
  let problem: string | null = null;
  try {
    const parsed = JSON.parse(readFileSync(settings, 'utf8')) as { cleanupPeriodDays?: unknown };
    if (typeof parsed.cleanupPeriodDays === 'number') days = parsed.cleanupPeriodDays;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') problem = `could not read ${settings}: ${(error as Error).message}`;
  }
  const warning =
    problem ??
    (days === null || days <= CLAUDE_DEFAULT_CLEANUP_DAYS
      ? `Claude Code deletes transcripts older than ${days ?? CLAUDE_DEFAULT_CLEANUP_DAYS} days` +
        `${days === null ? ' (cleanupPeriodDays is unset)' : ''}; the observatory keeps what it ` +
        `has read, but raise cleanupPeriodDays in ${settings} to keep the files too`
      : null);
  return { settings, cleanupPeriodDays: days, warning };
}
