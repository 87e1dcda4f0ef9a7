/** A plain object for an error: its name, code, message, details and cause, for `--json`. */
export function errorJson(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const coded = error as Error & { code?: unknown; details?: unknown; sqliteCode?: unknown };
  return {
    name: error.name,
    ...(coded.code === undefined ? {} : { code: coded.code }),
    message: error.message,
    ...(coded.sqliteCode === undefined ? {} : { sqliteCode: coded.sqliteCode }),
    ...(coded.details === undefined ? {} : { details: coded.details }),
    ...(error.cause === undefined ? {} : { cause: errorJson(error.cause) }),
  };
}

/** `JSON.stringify` on one line, with errors turned into plain objects. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner instanceof Error ? errorJson(inner) : inner,
  );
}
