import type { AttributeValue } from './types.js';

/**
 * Vector's CANdb++ writes names of at most 32 characters into a DBC file: a longer one is cut
 * and numbered (`EngineCoolantTemperatureSe_0000`) and written whole in an attribute of the
 * object, `SystemSignalLongSymbol`, `SystemMessageLongSymbol` or `SystemNodeLongSymbol`, as a
 * vehicle maker's files often have. cantools reads those names, and so does this parser: the
 * attribute, when it is set to some text, is the object's name (in metrics, mappings, lists).
 */
export const LONG_NAME_ATTRIBUTES = {
  message: 'SystemMessageLongSymbol',
  signal: 'SystemSignalLongSymbol',
  node: 'SystemNodeLongSymbol',
} as const;

/** The name of an object: its long name when its attributes give one, else the name written. */
export function longName(written: string, attributes: Readonly<Record<string, AttributeValue>>, kind: keyof typeof LONG_NAME_ATTRIBUTES): string {
  const long = attributes[LONG_NAME_ATTRIBUTES[kind]];
  return typeof long === 'string' && long.trim() !== '' ? long.trim() : written;
}
