import { existsSync } from 'node:fs';

/**
 * What to add to "cannot read the mapping file (ENOENT)": that it does not exist, and the file
 * meant when only the extension differs (`site.yml` given, `site.yaml` there, or the other way).
 */
export function missingFileHint(file: string): string {
  const other = /\.yaml$/i.test(file) ? file.replace(/\.yaml$/i, '.yml') : /\.yml$/i.test(file) ? file.replace(/\.yml$/i, '.yaml') : undefined;
  return other !== undefined && existsSync(other) ? `: no such file; ${other} exists, is that the one?` : ': no such file';
}
