/** Lines of one file reported one by one; past them only their number is said. */
const LINES_REPORTED = 20;
/** Distinct reasons or sources counted apart; further ones are counted together. */
const KEYS_COUNTED = 1000;
/** Rows of each breakdown printed, largest first. */
const ROWS_PRINTED = 20;
/** Longest reason printed in a breakdown row. */
const REASON_CHARS = 160;

/** What reading the dead-letter files found, counted for the report. */
export interface ResendTally {
  /** A record selected to be sent. */
  selected(reason: string, sourceId: string): void;
  /** A record `--reason` left out. */
  leftOut(): void;
  /** A line not sent: not a record, or a record whose point cannot be sent; said on `stderr` (the first few of each file). */
  skipped(file: string, line: number, why: string): void;
  /** Records selected. */
  readonly selectedCount: number;
  /** Lines skipped. */
  readonly skippedCount: number;
  /** The summary line of one file, once it is read (then its counts start again). */
  fileLine(file: string): string;
  /** Records selected by reason and by source, largest first. */
  breakdown(): string;
}

/** A {@link ResendTally} that reports skipped lines on `stderr`. */
export function createResendTally(stderr: NodeJS.WritableStream): ResendTally {
  const byReason = new Map<string, number>();
  const bySource = new Map<string, number>();
  let selected = 0;
  let skipped = 0;
  let file = { selected: 0, leftOut: 0, skipped: 0 };
  return {
    selected(reason, sourceId) {
      selected += 1;
      file.selected += 1;
      bump(byReason, printable(reason, REASON_CHARS));
      bump(bySource, sourceId);
    },
    leftOut() {
      file.leftOut += 1;
    },
    skipped(name, line, why) {
      skipped += 1;
      file.skipped += 1;
      if (file.skipped <= LINES_REPORTED) stderr.write(`${name}:${line}: skipped: ${printable(why, 300)}\n`);
    },
    get selectedCount() {
      return selected;
    },
    get skippedCount() {
      return skipped;
    },
    fileLine(name) {
      const parts = [`${name}: ${plural(file.selected, 'record')} to send`];
      if (file.leftOut > 0) parts.push(`${file.leftOut} left out by --reason`);
      if (file.skipped > 0) parts.push(`${plural(file.skipped, 'line')} skipped${file.skipped > LINES_REPORTED ? ` (the first ${LINES_REPORTED} said above)` : ' (said above)'}`);
      file = { selected: 0, leftOut: 0, skipped: 0 };
      return parts.join(', ');
    },
    breakdown() {
      return `  by reason:\n${rows(byReason)}  by source:\n${rows(bySource)}`;
    },
  };
}

/** `1 record`, `2 records`. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function bump(counts: Map<string, number>, key: string): void {
  const counted = counts.has(key) || counts.size < KEYS_COUNTED ? key : '(others)';
  counts.set(counted, (counts.get(counted) ?? 0) + 1);
}

function rows(counts: Map<string, number>): string {
  const sorted = [...counts].sort((a, b) => b[1] - a[1]);
  let text = '';
  for (const [key, n] of sorted.slice(0, ROWS_PRINTED)) text += `    ${String(n).padStart(8)}  ${key}\n`;
  const rest = sorted.slice(ROWS_PRINTED);
  if (rest.length > 0) text += `    ${String(rest.reduce((sum, [, n]) => sum + n, 0)).padStart(8)}  (${rest.length} more)\n`;
  return text;
}

/**
 * Text from a file made safe to print on one line: control characters (a terminal escape, a line
 * break) replaced, cut past `max` characters.
 */
export function printable(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '\ufffd');
  return clean.length > max ? `${clean.slice(0, max)}...` : clean;
}
