import { readFileSync } from 'node:fs';

/**
 * The `version` of the package a module belongs to, read from the `package.json` one folder
 * above it (`src/` in development, `dist/` when built): call with `import.meta.url` from a file
 * directly in `src/`. `0.0.0` when it cannot be read.
 */
export function packageVersion(moduleUrl: string): string {
  try {
    const json = JSON.parse(readFileSync(new URL('../package.json', moduleUrl), 'utf8')) as { version?: unknown };
    return typeof json.version === 'string' ? json.version : '0.0.0';
  } catch {
    // Not fatal: a version is only shown and sent as agent_version.
    return '0.0.0';
  }
}
