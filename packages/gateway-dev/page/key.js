// @ts-check
// A gateway listening beyond loopback asks for a key on its /_dev endpoints. A user who opens the
// page as /?key=... has every request of the page carry it; on loopback there is none to carry.

const key = new URLSearchParams(location.search).get('key');

/**
 * `path` with the page's key added as `key=`, when the page was opened with one.
 * @param {string} path
 * @returns {string}
 */
export function withKey(path) {
  if (!key) return path;
  return `${path}${path.includes('?') ? '&' : '?'}key=${encodeURIComponent(key)}`;
}
