/**
 * Calls `onGone` once when the reader of `stream` goes away (a write fails with EPIPE: `--dry-run
 * | head` after its lines). Returns a function that stops watching.
 */
export function whenReaderGone(stream: NodeJS.WritableStream, onGone: () => void): () => void {
  const onError = (err: NodeJS.ErrnoException): void => {
    if (err.code !== 'EPIPE') return;
    stream.off('error', onError);
    onGone();
  };
  stream.on('error', onError);
  return () => stream.off('error', onError);
}
