/** Streams and environment a command uses (tests pass their own). */
export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  /** The working directory: where third-party bridge packages are looked for. Default `process.cwd()`. */
  cwd?: string;
}
