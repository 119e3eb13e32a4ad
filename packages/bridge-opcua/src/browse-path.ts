/** One step of a browse path: a browse name, with its namespace index when the path gives one. */
export interface BrowseStep {
  name: string;
  /** When absent, a child of any namespace with this name matches (refused if several do). */
  namespaceIndex?: number;
}

/** {@link parseBrowsePath}'s answer. */
export type ParsedBrowsePath = { ok: true; steps: BrowseStep[] } | { ok: false; message: string };

/** Most steps in a browse path. */
export const MAX_BROWSE_STEPS = 32;
/** Longest browse path text, in characters. */
export const MAX_BROWSE_PATH_CHARS = 2048;

/**
 * Parses a browse path below the Objects folder: browse names separated by `/`, e.g.
 * `Boiler/Temperature` or `/2:Boiler/2:Temperature` (a leading `/` is allowed). A step may
 * carry a namespace index as `2:`; without one, the name alone must identify the child. `&`
 * escapes the next character, so `Line&/1` is the name `Line/1` and `&2:x` the name `2:x`
 * (the escape character of OPC UA's RelativePath text, Part 4, A.2). Never throws.
 */
export function parseBrowsePath(text: string): ParsedBrowsePath {
  if (text.length > MAX_BROWSE_PATH_CHARS) return { ok: false, message: `browse path is longer than ${MAX_BROWSE_PATH_CHARS} characters` };
  const raw: { text: string; escapedColon: boolean }[] = [];
  let current = '';
  let escapedStart = false;
  const body = text.startsWith('/') ? text.slice(1) : text;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch === '&') {
      const next = body[i + 1];
      if (next === undefined) return { ok: false, message: `browse path "${text}" ends with the escape character &` };
      if (current === '') escapedStart = true;
      current += next;
      i++;
    } else if (ch === '/') {
      raw.push({ text: current, escapedColon: escapedStart });
      current = '';
      escapedStart = false;
    } else {
      current += ch;
    }
  }
  raw.push({ text: current, escapedColon: escapedStart });
  if (raw.length > MAX_BROWSE_STEPS) return { ok: false, message: `browse path "${text}" has more than ${MAX_BROWSE_STEPS} steps` };
  const steps: BrowseStep[] = [];
  for (const [i, part] of raw.entries()) {
    if (part.text === '') return { ok: false, message: `browse path "${text}" has an empty step ${i + 1} (write names separated by /, e.g. Boiler/Temperature)` };
    const prefixed = part.escapedColon ? null : /^(\d{1,5}):([\s\S]+)$/.exec(part.text);
    if (prefixed) {
      const namespaceIndex = Number(prefixed[1]);
      if (namespaceIndex > 65535) return { ok: false, message: `browse path "${text}": namespace index ${namespaceIndex} is above 65535` };
      steps.push({ name: prefixed[2]!, namespaceIndex });
    } else {
      steps.push({ name: part.text });
    }
  }
  return { ok: true, steps };
}

/** The text form of `steps`, escaping what {@link parseBrowsePath} would read otherwise. */
export function formatBrowsePath(steps: readonly BrowseStep[]): string {
  return steps
    .map((step) => {
      const name = step.name.replace(/[&/]/g, (c) => `&${c}`);
      if (step.namespaceIndex !== undefined) return `${step.namespaceIndex}:${name}`;
      return /^\d{1,5}:/.test(name) ? `&${name}` : name;
    })
    .join('/');
}
