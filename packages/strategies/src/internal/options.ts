import {
  checkInteger,
  checkKnownKeys,
  checkPlainObject,
  configError,
} from '@walkeeper/core/plugin-kit';

/** Validates an options object of integer fields against their ranges; E_CONFIG otherwise. */
export function integerOptions<K extends string>(
  strategy: string,
  input: unknown,
  ranges: Record<K, readonly [min: number, max: number]>,
): Partial<Record<K, number>> {
  if (input === undefined) return {};
  const object = checkPlainObject(`${strategy}() options`, input);
  checkKnownKeys(`${strategy}()`, object, Object.keys(ranges));
  const out: Partial<Record<K, number>> = {};
  for (const key of Object.keys(ranges) as K[]) {
    if (object[key] === undefined) continue;
    const [min, max] = ranges[key];
    out[key] = checkInteger(`${strategy}().${key}`, object[key], min, max);
  }
  return out;
}

export const BYTES = [64 * 1024, Number.MAX_SAFE_INTEGER] as const;
export const PAGES = [1, 2 ** 31 - 1] as const;
export const MILLISECONDS = [1, 2 ** 31 - 1] as const;
export const STALL_MS = [0, 60_000] as const;

/** The value of a required option, or E_CONFIG naming it. */
export function required<T>(
  strategy: string,
  key: string,
  value: T | undefined,
  allowed: string,
): T {
  if (value === undefined) throw configError(`${strategy}().${key}`, value, allowed);
  return value;
}
