import { readFileSync } from 'node:fs';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { repoPath } from './repo.js';

/** One stage of the Dockerfile: its `FROM` and the instructions up to the next one. */
export interface Stage {
  /** `AS name`, if any. */
  name: string | undefined;
  /** The image it starts from, as written (`${NODE_IMAGE}`). */
  from: string;
  instructions: Instruction[];
}

/** The repository's Dockerfile: its text, the ARGs before the first FROM, and its stages. */
export interface ParsedDockerfile {
  text: string;
  globalArgs: Record<string, string>;
  stages: Stage[];
}

/** Reads and splits the Dockerfile at the repository root. */
export function readDockerfile(): ParsedDockerfile {
  const text = readFileSync(repoPath('Dockerfile'), 'utf8');
  const parsed = DockerfileParser.parse(text);
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const instruction of parsed.getInstructions()) {
    const keyword = instruction.getKeyword();
    if (keyword === 'FROM') {
      const [from = '', , name] = instruction.getArguments().map((a) => a.getValue());
      stages.push({ name, from, instructions: [] });
    } else if (stages.length === 0) {
      if (keyword === 'ARG') Object.assign(globalArgs, argDefault(instruction));
    } else {
      stages.at(-1)!.instructions.push(instruction);
    }
  }
  return { text, globalArgs, stages };
}

/** `ARG NAME=value` as `{ NAME: value }` (`''` without a default). */
export function argDefault(instruction: Instruction): Record<string, string> {
  const [name = '', ...value] = instruction.getArgumentsContent()?.split('=') ?? [];
  return { [name.trim()]: value.join('=').trim() };
}

/** Replaces `${NAME}` and `$NAME` with `vars[NAME]`, as Docker does in ENV, WORKDIR, USER and FROM. */
export function substitute(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced: string | undefined, bare: string | undefined) => vars[(braced ?? bare)!] ?? whole);
}

/** A stage's instructions of one keyword. */
export function instructionsOf(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((i) => i.getKeyword() === keyword);
}

/**
 * The environment a stage's command sees: its ENV instructions in order, each value substituted
 * with the build arguments and the ENV before it (`PATH=/app/node_modules/.bin:$PATH` with `base`'s PATH).
 */
export function stageEnv(stage: Stage, buildArgs: Record<string, string>, base: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = { ...base };
  const args: Record<string, string> = {};
  for (const instruction of stage.instructions) {
    const keyword = instruction.getKeyword();
    if (keyword === 'ARG') {
      const [name, fallback] = Object.entries(argDefault(instruction))[0]!;
      args[name] = buildArgs[name] ?? fallback;
    } else if (keyword === 'ENV') {
      for (const property of (instruction as unknown as { getProperties(): { getName(): string; getValue(): string | null }[] }).getProperties()) {
        env[property.getName()] = substitute(property.getValue() ?? '', { ...env, ...args });
      }
    }
  }
  return env;
}

/** The exec form of ENTRYPOINT, CMD or HEALTHCHECK CMD as its argument list. */
export function execForm(instruction: Instruction): string[] {
  const content = (instruction.getArgumentsContent() ?? '').replace(/^CMD\s+/, '');
  const list = JSON.parse(content) as unknown;
  if (!Array.isArray(list) || !list.every((s) => typeof s === 'string')) throw new Error(`${instruction.getKeyword()} is not in exec form: ${content}`);
  return list as string[];
}

/** `--name=value` flags of an instruction (`COPY --from=build`, `HEALTHCHECK --interval=30s`). */
export function flags(instruction: Instruction): Record<string, string> {
  const out: Record<string, string> = {};
  for (const flag of (instruction as unknown as { getFlags?(): { getName(): string; getValue(): string | null }[] }).getFlags?.() ?? []) {
    out[flag.getName()] = flag.getValue() ?? '';
  }
  return out;
}

/** The sources and destination of a COPY (flags left out). */
export function copyPaths(instruction: Instruction): { sources: string[]; destination: string } {
  const args = instruction.getArguments().map((a) => a.getValue()).filter((a) => !a.startsWith('--'));
  return { sources: args.slice(0, -1), destination: args.at(-1) ?? '' };
}
