import { withoutUserinfo } from '../shared/text.js';

/**
 * True when a URL's authority ends in `:` with no port after it (`tcp://10.0.0.5:`). The WHATWG
 * URL parser reads that as no port at all, so the protocol's default would be used, but in a
 * mapping file it is most often a `${PORT}` left unset: a bridge refuses it at its location rather
 * than connect somewhere the user did not mean.
 */
export function hasEmptyPort(url: string): boolean {
  const start = url.indexOf('//');
  if (start < 0) return false;
  const authority = url.slice(start + 2).split(/[/?#]/, 1)[0] ?? '';
  return authority.endsWith(':');
}

/** The message for {@link hasEmptyPort}: `"tcp://host:" has an empty port ... or leave out ":" for the default 502`. */
export function emptyPortMessage(url: string, defaultPort: number): string {
  return `"${withoutUserinfo(url)}" has an empty port after ":" (an unset variable?); write the port, or leave out ":" for the default ${defaultPort}`;
}
