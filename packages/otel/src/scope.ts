import { createRequire } from 'node:module';

/** The instrumentation scope: the package name and version. */
export const OTEL_SCOPE_NAME = '@walkeeper/otel';
export const OTEL_SCOPE_VERSION = (
  createRequire(import.meta.url)('../package.json') as { version: string }
).version;
