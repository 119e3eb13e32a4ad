import { REPO } from './repo.js';

/**
 * The image's absolute paths and the folders that stand for them in a test: the build context
 * (/src) is the repository, the rest are folders under `root`, as a container's mounts would be.
 */
export function imagePaths(root: string): Record<string, string> {
  return {
    '/src': REPO.replace(/\/$/, ''),
    '/packs': `${root}/packs`,
    '/app': `${root}/app`,
    '/etc/fieldbridge': `${root}/etc`,
    '/var/lib/fieldbridge': `${root}/data`,
  };
}

/** `text` with every image path in it (as a whole path segment) replaced by its test folder. */
export function rewritePaths(text: string, paths: Record<string, string>): string {
  let out = text;
  for (const [from, to] of Object.entries(paths).sort((a, b) => b[0].length - a[0].length)) {
    const escaped = from.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    out = out.replace(new RegExp(`(?<![\\w.-])${escaped}(?=[/\\s"':]|$)`, 'gm'), to);
  }
  return out;
}
