import { CHECKPOINT_MODES, type CheckpointMode } from '@walkeeper/core';
import { UsageError } from '../errors.js';

/** `passive|full|restart|truncate`, any case. */
export function parseMode(value: string): CheckpointMode {
  const mode = value.toUpperCase();
  if (!(CHECKPOINT_MODES as readonly string[]).includes(mode)) {
    throw new UsageError(
      `unknown checkpoint mode "${value}": use passive, full, restart or truncate`,
    );
  }
  return mode as CheckpointMode;
}

/** A whole number from `min` to `max`; `what` names it in the error. */
export function parseInteger(what: string, min: number, max: number): (value: string) => number {
  return (value: string) => {
    const number = /^-?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(number) || number < min || number > max) {
      throw new UsageError(`${what} must be a whole number from ${min} to ${max}, got "${value}"`);
    }
    return number;
  };
}

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 2 ** 10,
  kib: 2 ** 10,
  m: 2 ** 20,
  mib: 2 ** 20,
  g: 2 ** 30,
  gib: 2 ** 30,
};

/** A size in bytes: `67108864`, `64MiB`, `64M`, `512KiB`, `1G` (binary units). */
export function parseSize(what: string, min: number): (value: string) => number {
  return (value: string) => {
    const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(value.trim());
    const unit = UNITS[match?.[2]?.toLowerCase() ?? 'x'];
    const bytes = match && unit !== undefined ? Math.round(Number(match[1]) * unit) : Number.NaN;
    if (!Number.isSafeInteger(bytes) || bytes < min) {
      throw new UsageError(
        `${what} must be a size of at least ${min} bytes such as 64MiB, got "${value}"`,
      );
    }
    return bytes;
  };
}
