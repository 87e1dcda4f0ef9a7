/**
 * The Content-Security-Policy of every response. Transcripts are untrusted text, and the
 * dashboard shows them: even if a bug let one reach the page as markup, nothing in it could
 * run or load. Scripts, styles, images and connections come from this origin only (no inline
 * script, no eval); no plugins, frames, `<base>` or form posts elsewhere; and Trusted Types
 * with no policy, so assigning any string to `innerHTML` or a similar sink throws in the
 * browser instead of parsing it.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

/** Headers set on every response of the app, API and dashboard alike. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  // A JSON body or a transcript excerpt is never sniffed into HTML or script.
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
});
