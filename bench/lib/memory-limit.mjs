// Runs a benchmark's process under a memory limit, as a container with `--memory` (or a
// Kubernetes limit) does: a cgroup of its own with the limit set. Node reads that limit at start
// and sizes V8's heap from it (a small young generation under a small limit), and the kernel
// kills a process that goes past it. Needs a writable cgroup memory controller (v1, or v2 with
// the memory controller delegated); undefined where there is none.
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The cgroup folder this process is in, for the memory controller, and the file that sets its limit. */
function ownMemoryCgroup() {
  const lines = readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n');
  const v1 = lines.map((l) => l.split(':')).find(([, controllers]) => controllers.split(',').includes('memory'));
  if (v1) return { dir: join('/sys/fs/cgroup/memory', v1[2]), limitFile: 'memory.limit_in_bytes' };
  const v2 = lines.map((l) => l.split(':')).find(([id]) => id === '0');
  if (v2) return { dir: join('/sys/fs/cgroup', v2[2]), limitFile: 'memory.max' };
  return undefined;
}

/**
 * A cgroup limited to `limitBytes` for a child to run in: `wrap(command, args)` gives the
 * command and arguments that start it inside (a shell that moves itself in, then execs), and
 * `remove()` deletes the cgroup once its processes have ended. Undefined when no cgroup can be made here.
 */
export function memoryLimit(limitBytes) {
  let own;
  try {
    own = ownMemoryCgroup();
  } catch {
    return undefined;
  }
  if (!own) return undefined;
  const dir = join(own.dir, `fieldbridge-bench-${process.pid}-${limitBytes}`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, own.limitFile), String(limitBytes));
  } catch {
    try {
      rmdirSync(dir);
    } catch {
      // Never made.
    }
    return undefined;
  }
  return {
    wrap: (command, args) => ['/bin/sh', ['-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', dir, command, ...args]],
    remove() {
      try {
        rmdirSync(dir);
      } catch {
        // A process still in it: left for the system to clean with its parent's.
      }
    },
  };
}
