// The error codes each package declares: the string literals of every exported `...ErrorCode`
// union type in its src/errors.ts, read with the TypeScript parser (the codes exist only as types).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

/** One package's error class codes. */
export interface PackageErrorCodes {
  /** The npm package, e.g. `@fieldbridge/bridge-modbus`. */
  package: string;
  /** The union's name, e.g. `ModbusBridgeErrorCode`. */
  type: string;
  codes: string[];
}

/** The codes of every package under `packagesDir` that has a src/errors.ts. */
export function errorCodes(packagesDir: string): PackageErrorCodes[] {
  const out: PackageErrorCodes[] = [];
  for (const dir of readdirSync(packagesDir).sort()) {
    const file = join(packagesDir, dir, 'src', 'errors.ts');
    if (!existsSync(file)) continue;
    const name = (JSON.parse(readFileSync(join(packagesDir, dir, 'package.json'), 'utf8')) as { name: string }).name;
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    for (const statement of source.statements) {
      if (!ts.isTypeAliasDeclaration(statement) || !statement.name.text.endsWith('ErrorCode')) continue;
      if (!statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) continue;
      const members = ts.isUnionTypeNode(statement.type) ? statement.type.types : [statement.type];
      const codes = members.flatMap((t) => (ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal) ? [t.literal.text] : []));
      out.push({ package: name, type: statement.name.text, codes });
    }
  }
  return out;
}

/** The section of the troubleshooting page for a package: `@fieldbridge/bridge-modbus` -> `bridge-modbus`. */
export function sectionName(pkg: string): string {
  return pkg.replace(/^@fieldbridge\//, '');
}

/**
 * The entries of the troubleshooting page: per `## <section>` heading (a package's
 * {@link sectionName}), the codes of its `### \`CODE\`` headings.
 */
export function troubleshootingEntries(markdown: string): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of markdown.split('\n')) {
    const section = /^## ([a-z0-9-]+)\s*$/.exec(line);
    if (section) {
      current = [];
      sections.set(section[1]!, current);
      continue;
    }
    if (/^## /.test(line)) current = undefined;
    const entry = /^### `([A-Z0-9_]+)`/.exec(line);
    if (entry && current) current.push(entry[1]!);
  }
  return sections;
}
