import { FieldbridgeError } from '../errors.js';
import type { Batch } from '../shared/batch.js';

/**
 * Refuses `replace()` parts whose ids collide with each other or with another held batch
 * (a part may reuse its parent's id, since the parent goes away). Throws before anything
 * changes, so a refused replace loses nothing.
 */
export function assertReplaceParts(parentId: string, parts: readonly Batch[], isHeld: (id: string) => boolean): void {
  const seen = new Set<string>();
  for (const part of parts) {
    if (seen.has(part.id) || (part.id !== parentId && isHeld(part.id))) {
      throw new FieldbridgeError(
        'OPTIONS_INVALID',
        `spool replace(${JSON.stringify(parentId)}): part id ${JSON.stringify(part.id)} is already used; give each part its own id (see deriveBatch)`,
      );
    }
    seen.add(part.id);
  }
}

/** The error a closed spool throws from calls that would change or read its content. */
export function closedError(what: string): FieldbridgeError {
  return new FieldbridgeError('SPOOL_UNUSABLE', `the ${what} is closed; create a new spool to use it again`);
}
