/**
 * Lines of a text stream, each bounded: a line longer than `maxLength` is cut to
 * `maxLength + 1` characters (so the caller sees it is too long) and the rest of it is
 * dropped as it arrives, never held. `\r\n` and `\n` both end lines.
 */
export async function* boundedLines(chunks: AsyncIterable<Uint8Array | string>, maxLength: number): AsyncGenerator<string> {
  const latin1 = new TextDecoder('latin1');
  let partial = '';
  let overflowing = false;
  for await (const chunk of chunks) {
    const text = typeof chunk === 'string' ? chunk : latin1.decode(chunk);
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      const piece = text.slice(start, nl < 0 ? text.length : nl);
      if (!overflowing) {
        partial += piece;
        if (partial.length > maxLength) {
          partial = partial.slice(0, maxLength + 1);
          overflowing = true;
        }
      }
      if (nl < 0) break;
      yield partial.endsWith('\r') ? partial.slice(0, -1) : partial;
      partial = '';
      overflowing = false;
      start = nl + 1;
    }
  }
  if (partial !== '') yield partial.endsWith('\r') ? partial.slice(0, -1) : partial;
}
