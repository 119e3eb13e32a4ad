/** The environment of every guest process (SSE-only code paths, see uml.mjs). */
export const GUEST_ENV: Readonly<Record<string, string>>;
/** V8 flags for node in the guest. */
export const GUEST_NODE_FLAGS: readonly string[];
/** Why UML cannot run here (with the package to install), or undefined when it can. */
export function umlMissing(): string | undefined;
export interface UmlRun {
  script: string;
  files?: Record<string, string | Uint8Array>;
  collect?: string[];
  timeoutMs?: number;
  memoryMb?: number;
}
export interface UmlResult {
  code: number;
  output: string;
  init: string;
  files: Record<string, string>;
}
/** Boots User-Mode Linux with vcan0/vcan1 up and runs `script` inside. */
export function runInUml(run: UmlRun): Promise<UmlResult>;
