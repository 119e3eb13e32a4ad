/**
 * A command started through `npx` (npm exec) or a package.json script runs as the child of a
 * shell that npm started, and a signal sent to npm's process (a supervisor's SIGTERM, SIGHUP)
 * ends npm without reaching this one: it would run on, orphaned, holding its spool and its port.
 * When the process was started that way (npm sets `npm_command`) and its parent goes away, this
 * calls `gone` once, so the command stops as on SIGTERM. Nothing is watched otherwise: a command
 * started by nohup, systemd or a container runtime keeps running when its parent changes.
 */
export function watchLauncher(env: NodeJS.ProcessEnv, gone: (launcher: string) => void, everyMs = 1000): () => void {
  const command = env.npm_command;
  if (command === undefined || command === '') return () => undefined;
  const launcher = command === 'exec' ? 'npx (npm exec)' : `npm ${command}`;
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    gone(launcher);
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
