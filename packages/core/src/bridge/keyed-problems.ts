import type { ProblemReporter } from '../shared/problems.js';

/** Options of {@link createKeyedProblems}. */
export interface KeyedProblemsOptions {
  /** Prefix of the episode keys, e.g. `mqtt.plant` or `can.vcan0`. */
  prefix: string;
  /** Keys (topics, CAN ids, devices) tracked one by one; past this they share one episode per kind. Default 10 000. */
  maxKeys?: number;
}

/**
 * Problems as episodes per key (a topic, a CAN id, a device) and kind: the first occurrence is
 * logged, later ones counted, and the key's episodes end with its next clean message. Bounded:
 * past `maxKeys` keys with open episodes, further keys share one episode per kind.
 */
export interface KeyedProblems {
  /** Records one problem of `kind` on `key`. */
  report(key: string, kind: string, message: string, fields?: Record<string, unknown>): void;
  /** A message on `key` was clean: ends its open episodes. */
  clean(key: string): void;
}

/** Creates {@link KeyedProblems} on the bridge's problem reporter. */
export function createKeyedProblems(problems: ProblemReporter, options: KeyedProblemsOptions): KeyedProblems {
  const maxKeys = options.maxKeys ?? 10_000;
  const open = new Map<string, Set<string>>();
  return {
    report(key, kind, message, fields) {
      let kinds = open.get(key);
      if (!kinds && open.size >= maxKeys) {
        problems.report(`${options.prefix}.*.${kind}`, `${message} (more than ${maxKeys} keys have problems, so they are grouped)`, { ...fields, kind });
        return;
      }
      if (!kinds) open.set(key, (kinds = new Set()));
      const episode = `${options.prefix}.${key}.${kind}`;
      kinds.add(episode);
      problems.report(episode, message, { ...fields, kind });
    },
    clean(key) {
      const kinds = open.get(key);
      if (!kinds) return;
      open.delete(key);
      for (const episode of kinds) problems.resolve(episode, `${key}: clean again`);
    },
  };
}
