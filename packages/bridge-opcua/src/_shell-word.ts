// Characters a POSIX shell reads as they are, outside quotes: no space, glob, quote or expansion.
const PLAIN = /^[A-Za-z0-9_./:@%+=,-]+$/;

/**
 * `text` (a file's path) as one word a POSIX shell reads back unchanged: as it is when it holds
 * only plain characters, else in single quotes (a `'` inside written `'\''`). A message that names
 * a file to move or delete writes it so: node-opcua names certificate files after their subject
 * and thumbprint (`fieldbridge OPC UA simulator[1a2b...].pem`), whose spaces split a pasted `mv`
 * and whose brackets are a glob.
 */
export function shellWord(text: string): string {
  return PLAIN.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}
