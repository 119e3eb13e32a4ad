import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { availableBridges } from 'fieldbridge';
import { describe, expect, it } from 'vitest';
import { errorCodes, sectionName, troubleshootingEntries } from '../scripts/error-codes.js';
import { documentedBridges, generatedPages, ROOT } from '../scripts/pages.js';

const docs = join(ROOT, 'docs');
const markdown = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? (d.name === 'node_modules' ? [] : markdown(join(dir, d.name))) : d.name.endsWith('.md') ? [join(dir, d.name)] : []));

describe('the generated pages', () => {
  it('are current: each bridge\'s mapping reference (from its schema), the common keys, every metric the registries have', async () => {
    const pages = await generatedPages();
    for (const [path, text] of pages) {
      const file = join(ROOT, path);
      expect(existsSync(file), `${path} is missing: run pnpm --filter @fieldbridge/docs write`).toBe(true);
      expect(readFileSync(file, 'utf8'), `${path} drifted: run pnpm --filter @fieldbridge/docs write`).toBe(text);
    }
    // Nothing generated before and no longer made (a bridge renamed) stays behind.
    const bridgePages = readdirSync(join(docs, 'bridges')).map((f) => `docs/bridges/${f}`);
    expect(bridgePages.sort()).toEqual([...pages.keys()].filter((p) => p.startsWith('docs/bridges/')).sort());
  }, 60_000);

  it('cover every bridge of the catalog that has a definition', async () => {
    const documented = documentedBridges().map((b) => b.entry.name);
    for (const available of await availableBridges()) {
      // A bridge in its first phase (the protocol layer, no definition yet) has no section to document.
      if (available.definition) expect(documented, available.entry.name).toContain(available.entry.name);
    }
    expect(documented.length).toBeGreaterThanOrEqual(5);
  });
});

describe('the troubleshooting page', () => {
  const page = readFileSync(join(docs, 'troubleshooting.md'), 'utf8');
  const entries = troubleshootingEntries(page);
  const declared = errorCodes(join(ROOT, 'packages'));

  it('has an entry, with its cause and its fix, for every error code a package declares', () => {
    expect(declared.length).toBeGreaterThanOrEqual(8);
    for (const pkg of declared) {
      const section = entries.get(sectionName(pkg.package));
      expect(section, `## ${sectionName(pkg.package)} (${pkg.type})`).toBeDefined();
      for (const code of pkg.codes) expect(section, `${pkg.package} ${code}: add \`### \\\`${code}\\\`\` under ## ${sectionName(pkg.package)}`).toContain(code);
    }
    for (const block of page.split(/^### /m).slice(1)) {
      expect(block, block.split('\n')[0]).toMatch(/\*\*Cause\.\*\*/);
      expect(block, block.split('\n')[0]).toMatch(/\*\*Fix\.\*\*/);
    }
  });

  it('has no entry for a code that no longer exists', () => {
    for (const [section, codes] of entries) {
      const pkg = declared.filter((p) => sectionName(p.package) === section);
      expect(pkg.length, `## ${section} names no package with error codes`).toBeGreaterThan(0);
      const known = pkg.flatMap((p) => p.codes);
      for (const code of codes) expect(known, `## ${section} ### ${code}`).toContain(code);
    }
  });
});

describe('every page of docs/', () => {
  it('links only to files that exist', () => {
    const broken: string[] = [];
    for (const file of markdown(docs)) {
      const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
      for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        if (!existsSync(resolve(dirname(file), target!))) broken.push(`${file.slice(ROOT.length)} -> ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('are listed in docs/README.md', () => {
    const index = readFileSync(join(docs, 'README.md'), 'utf8');
    for (const file of markdown(docs)) {
      const path = file.slice(docs.length + 1);
      if (path === 'README.md' || path.startsWith('bridges/')) continue;
      expect(index, path).toContain(`](${path})`);
    }
    for (const b of documentedBridges()) expect(index).toContain(`](bridges/${b.entry.name}.md)`);
  });
});
