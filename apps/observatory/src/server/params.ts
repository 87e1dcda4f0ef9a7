/** A client mistake: answered with its status and a reason, never logged as a server fault. */
export class HttpError extends Error {
  readonly status: 400 | 403 | 404 | 405 | 501 | 503;

  constructor(status: HttpError['status'], message: string) {
    super(message);
    this.status = status;
  }
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const INTEGER = /^(0|[1-9]\d{0,15})$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses.
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * The query string of one request, checked strictly: every parameter must be one the route
 * knows, given at most once, and valid; anything else is a 400 that says which and why.
 */
export class QueryParams {
  readonly #values: Map<string, string>;

  constructor(url: string, allowed: readonly string[]) {
    const search = new URL(url).searchParams;
    this.#values = new Map();
    for (const [name, value] of search) {
      if (!allowed.includes(name)) {
        const known = allowed.length > 0 ? `; allowed: ${allowed.join(', ')}` : '';
        throw new HttpError(400, `unknown parameter '${name}'${known}`);
      }
      if (this.#values.has(name)) throw new HttpError(400, `parameter '${name}' given twice`);
      this.#values.set(name, value);
    }
  }

  has(name: string): boolean {
    return this.#values.has(name);
  }

  string(name: string, options: { max: number; min?: number }): string | undefined {
    const value = this.#values.get(name);
    if (value === undefined) return undefined;
    const min = options.min ?? 1;
    if (value.length < min || value.length > options.max)
      throw new HttpError(400, `'${name}' must be ${min} to ${options.max} characters long`);
    if (CONTROL.test(value)) throw new HttpError(400, `'${name}' contains control characters`);
    return value;
  }

  integer(name: string, min: number, max: number): number | undefined;
  integer(name: string, min: number, max: number, fallback: number): number;
  integer(name: string, min: number, max: number, fallback?: number): number | undefined {
    const value = this.#values.get(name);
    if (value === undefined) return fallback;
    const number = INTEGER.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(number) || number < min || number > max)
      throw new HttpError(
        400,
        `'${name}' must be an integer from ${min} to ${max}, not '${clip(value)}'`,
      );
    return number;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.#values.get(name);
    if (value === undefined) return fallback;
    if (value === 'true' || value === '1') return true;
    if (value === 'false' || value === '0') return false;
    throw new HttpError(400, `'${name}' must be true, false, 1 or 0, not '${clip(value)}'`);
  }

  oneOf<T extends string>(name: string, choices: readonly T[], fallback: T): T {
    const value = this.#values.get(name);
    if (value === undefined) return fallback;
    if ((choices as readonly string[]).includes(value)) return value as T;
    throw new HttpError(
      400,
      `'${name}' must be one of ${choices.join(', ')}, not '${clip(value)}'`,
    );
  }

  /** A calendar day, `YYYY-MM-DD`, that exists. */
  day(name: string): string | undefined {
    const value = this.#values.get(name);
    if (value === undefined) return undefined;
    const match = DAY.exec(value);
    if (match) {
      const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
      const date = new Date(Date.UTC(year, month - 1, day));
      if (date.getUTCMonth() === month - 1 && date.getUTCDate() === day) return value;
    }
    throw new HttpError(400, `'${name}' must be a day as YYYY-MM-DD, not '${clip(value)}'`);
  }

  /** A comma-separated list of names, each one of `pattern`. */
  list(name: string, pattern: RegExp, maxItems: number): string[] | undefined {
    const value = this.#values.get(name);
    if (value === undefined) return undefined;
    const items = value.split(',');
    if (items.length > maxItems)
      throw new HttpError(400, `'${name}' lists more than ${maxItems} items`);
    for (const item of items) {
      if (!pattern.test(item))
        throw new HttpError(400, `'${name}' has an invalid item '${clip(item)}'`);
    }
    return items;
  }
}

/** A path segment naming a session: what the file name allowed, within reason. */
export function sessionKeyParam(value: string): string {
  if (value.length === 0 || value.length > 300 || CONTROL.test(value) || value.includes('/'))
    throw new HttpError(
      400,
      'a session id is 1 to 300 characters, with no slash or control characters',
    );
  return value;
}

/** Cursors are opaque to clients: base64url of a JSON array of a string and an integer. */
export function encodeCursor(at: string, id: number): string {
  return Buffer.from(JSON.stringify([at, id])).toString('base64url');
}

export function decodeCursor(value: string): { at: string; id: number } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (
    Array.isArray(parsed) &&
    parsed.length === 2 &&
    typeof parsed[0] === 'string' &&
    Number.isSafeInteger(parsed[1])
  ) {
    return { at: parsed[0], id: parsed[1] as number };
  }
  throw new HttpError(400, "'cursor' is not a cursor this API returned");
}

function clip(value: string): string {
  const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
  return shown.replace(CONTROL, '?');
}
