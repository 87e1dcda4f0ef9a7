import { WalkeeperError } from '../errors.js';

/** Renders a rejected value for an error message without dumping whole objects. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

export function configError(option: string, value: unknown, allowed: string): WalkeeperError {
  return new WalkeeperError(
    'E_CONFIG',
    `Invalid option ${option}: got ${describeValue(value)}, expected ${allowed}.`,
    { details: { option, allowed } },
  );
}

export function checkInteger(option: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw configError(option, value, `an integer from ${min} to ${max}`);
  }
  return value;
}

export function checkBoolean(option: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw configError(option, value, 'true or false');
  return value;
}

export function checkEnum<T extends string>(
  option: string,
  value: unknown,
  allowed: readonly T[],
): T {
  if (typeof value === 'string') {
    const upper = value.toUpperCase();
    const match = allowed.find((candidate) => candidate.toUpperCase() === upper);
    if (match !== undefined) return match;
  }
  throw configError(option, value, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
}

export function checkPlainObject(option: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw configError(option, value, 'an object');
  }
  return value as Record<string, unknown>;
}

/** Rejects keys an object type does not know, so a typo never goes unnoticed. */
export function checkKnownKeys(
  option: string,
  value: Record<string, unknown>,
  known: readonly string[],
): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new WalkeeperError(
        'E_CONFIG',
        `Unknown option ${option}.${key}; known options are ${known.join(', ')}.`,
        { details: { option: `${option}.${key}`, allowed: known.join(', ') } },
      );
    }
  }
}
