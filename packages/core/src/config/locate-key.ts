import { LineCounter, parseDocument, type Node } from 'yaml';
import type { ConfigIssue } from './config-error.js';
import { formatPath } from './config-error.js';

/**
 * A {@link ConfigIssue} about the value at `path` of a mapping file's `text`, placed where the
 * value is written (or, when it is not, at the nearest key above it that is): for problems found
 * beyond one file's schema, such as two files of one run naming the same spool.
 */
export function issueAt(file: string, text: string, path: readonly (string | number)[], message: string): ConfigIssue {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  let offset = 0;
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth), true) as Node | undefined;
    if (node?.range) {
      offset = node.range[0];
      break;
    }
  }
  const { line, col } = lineCounter.linePos(offset);
  return { file, line, col, path: formatPath(path), message };
}
