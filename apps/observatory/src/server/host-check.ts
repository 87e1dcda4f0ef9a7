import { networkInterfaces } from 'node:os';

/**
 * The names every observatory answers to: it listens on loopback unless told otherwise, and
 * a browser on this machine reaches it by one of these.
 */
export const LOOPBACK_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '::1'];

const WILDCARD_HOSTS = new Set(['', '0.0.0.0', '::', '[::]']);

/**
 * The host names a server listening on `listenHost` answers to: the loopback names, the
 * address it listens on, each address of this machine's interfaces when that is a wildcard
 * (`0.0.0.0`, `::`), and `extra` (names the user allows, e.g. a reverse proxy's).
 *
 * Why: a web page the user visits can point its own domain at 127.0.0.1 (DNS rebinding) and
 * then read this server as same-origin. The browser still sends that domain as `Host`, so
 * answering only to names this server is known by closes the attack.
 */
export function allowedHosts(listenHost: string | undefined, extra: readonly string[] = []) {
  const names = new Set(LOOPBACK_HOSTS);
  const host = normalise(listenHost ?? '127.0.0.1');
  if (WILDCARD_HOSTS.has(host)) {
    for (const addresses of Object.values(networkInterfaces())) {
      for (const { address } of addresses ?? []) names.add(normalise(address));
    }
  } else {
    names.add(host);
  }
  for (const name of extra) names.add(normalise(name));
  return names;
}

/**
 * Why a request must be refused, or undefined when its `Host` header (and the host of its
 * URL, which an absolute request target sets apart from the header) is an allowed name. The
 * port is not compared: a rebinding attack changes the name, and the socket fixes the port.
 */
export function hostRefusal(
  hostHeader: string | undefined,
  url: string,
  allowed: ReadonlySet<string>,
): string | undefined {
  for (const authority of [hostHeader, new URL(url).host]) {
    if (authority === undefined) continue;
    const name = hostName(authority);
    if (!allowed.has(name)) {
      // The allowed names are not listed: a rebinding page can read this answer.
      return `host '${name}' is not a name this observatory answers to; start it with --allow-host ${name || '<name>'} to allow it`;
    }
  }
  return undefined;
}

/** The name of an authority (`name[:port]` or `[v6][:port]`), lowercase, no trailing dot. */
function hostName(authority: string): string {
  const trimmed = authority.trim();
  const name = trimmed.startsWith('[')
    ? trimmed.slice(0, trimmed.indexOf(']') + 1)
    : trimmed.replace(/:\d*$/, '');
  return normalise(name);
}

/** One spelling per name: lowercase, IPv6 without brackets, no trailing dot. */
function normalise(name: string): string {
  const lower = name.toLowerCase().replace(/\.$/, '');
  return lower.startsWith('[') && lower.endsWith(']') ? lower.slice(1, -1) : lower;
}
