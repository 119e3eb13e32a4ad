/** Streams already watched: `main` may run more than once on one stream (a test, an embedding app). */
const watched = new WeakSet<NodeJS.WritableStream>();

/**
 * Lets the reader of the command's stdout go away (`fieldbridge schema | head`, `fieldbridge check
 * conf.d | less` quit early): the rest of the output is not written, as with any command, where
 * node would end the process with an unhandled `EPIPE` and a stack trace. (`run --dry-run` also
 * ends its run on it: core watches that.) Any other write error still ends the process as before.
 */
export function allowReaderToLeave(stdout: NodeJS.WritableStream): void {
  if (watched.has(stdout)) return;
  watched.add(stdout);
  stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
}
