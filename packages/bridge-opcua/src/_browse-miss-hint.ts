import { closestName } from '@fieldbridge/core/bridge';
import { formatBrowsePath, type BrowseStep } from './browse-path.js';

// A name is compared with this many children at most, each at most this long: the edit distance
// costs the product of the two lengths, and a node may have 10,000 children.
const NEAR_MAX_CHILDREN = 2000;
const NEAR_MAX_CHARS = 128;

/**
 * The rest of a browse path written from the root, `Objects/Boiler/Temperature` or
 * `Root/Objects/Boiler/Temperature` (as UaExpert, ThingsBoard or Neuron show paths): the steps
 * below the Objects folder, where a browse path starts. Undefined for a path that does not start
 * so, or that names Objects itself. Pure.
 */
export function belowObjects(steps: readonly BrowseStep[]): BrowseStep[] | undefined {
  const fromRoot = (at: number, name: string): boolean => steps[at]?.name === name && (steps[at]?.namespaceIndex ?? 0) === 0;
  const skip = fromRoot(0, 'Objects') ? 1 : fromRoot(0, 'Root') && fromRoot(1, 'Objects') ? 2 : 0;
  return skip > 0 && steps.length > skip ? steps.slice(skip) : undefined;
}

/**
 * What to write instead, for step `at` of `steps` that names none of `children` (the browse names
 * the server has there): the path without a leading `Objects/` or `Root/Objects/`, the path with
 * `/` between names written with dots (`Boiler.Temperature`), or the nearest child's name (among
 * the first 2,000). Starts with `; ` to follow the message that nothing is named so; empty when
 * nothing fits. Pure.
 */
export function browseMissHint(steps: readonly BrowseStep[], at: number, children: readonly string[]): string {
  const step = steps[at];
  if (step === undefined) return '';
  const below = at === 0 ? belowObjects(steps) : undefined;
  if (below !== undefined) return `; a browse path starts below the Objects folder: write ${formatBrowsePath(below)}`;
  const parts = step.name.split('.');
  if (parts.length > 1 && parts.every((p) => p !== '') && children.includes(parts[0]!)) {
    const split = [...steps.slice(0, at), { ...step, name: parts[0]! }, ...parts.slice(1).map((name) => ({ name })), ...steps.slice(at + 1)];
    return `; the steps of a browse path are separated by /: write ${formatBrowsePath(split)}`;
  }
  const near = step.name.length > NEAR_MAX_CHARS ? undefined : closestName(step.name, children.slice(0, NEAR_MAX_CHILDREN).filter((c) => c.length <= NEAR_MAX_CHARS));
  return near === undefined ? '' : `; did you mean ${formatBrowsePath([...steps.slice(0, at), { name: near }])}?`;
}
