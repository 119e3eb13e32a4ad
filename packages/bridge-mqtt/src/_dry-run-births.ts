import { excerpt } from '@fieldbridge/core/bridge';

/** Edge nodes named in the line at most; the rest are counted. */
const NAMED = 3;
/** Edge nodes remembered at most (node ids come from the peer); the rest are counted only. */
const MAX_NODES = 10_000;

/** Sparkplug DATA a dry run could not decode for want of births: what it ends by saying. */
export interface DryRunBirths {
  /** A DATA of `node` (`group/edge node`) on subscription `subscription`, with rebirth: `rebirth`, named metrics by aliases no birth seen defines. */
  undecoded(subscription: string, node: string, rebirth: boolean): void;
  /** An NBIRTH of `node` came: its later DATA decodes. */
  born(node: string): void;
  /** The line the dry run ends with, or undefined when every such node was born meanwhile (or there was none). */
  summary(): string | undefined;
}

interface Undecoded {
  subscription: string;
  rebirth: boolean;
  messages: number;
}

/**
 * Keeps, for a dry run, the Sparkplug edge nodes whose DATA went undecoded because their births
 * came before it started: a dry run asks no edge node for a rebirth (that would make it publish
 * its births to every host on the broker), so it reads such DATA only once the node publishes
 * births of its own accord. {@link DryRunBirths.summary} says so at the end, with what would show
 * the data, where a generic "nothing was read" would leave the user guessing.
 */
export function createDryRunBirths(): DryRunBirths {
  const nodes = new Map<string, Undecoded>();
  let unremembered = 0;
  return {
    undecoded(subscription, node, rebirth) {
      const known = nodes.get(node);
      if (known) known.messages += 1;
      else if (nodes.size < MAX_NODES) nodes.set(node, { subscription, rebirth, messages: 1 });
      else unremembered += 1;
    },
    born(node) {
      nodes.delete(node);
    },
    summary() {
      if (nodes.size === 0) return undefined;
      const names = [...nodes.keys()].slice(0, NAMED).map((n) => excerpt(n, 120));
      const others = nodes.size - names.length;
      const who = `${nodes.size === 1 ? 'edge node' : 'edge nodes'} ${names.join(', ')}${others > 0 ? ` and ${others} more` : ''}`;
      const entries = [...nodes.values()];
      const subscriptions = [...new Set(entries.map((e) => e.subscription))].map((s) => excerpt(s, 200));
      const messages = entries.reduce((sum, e) => sum + e.messages, 0) + unremembered;
      const one = nodes.size === 1;
      const asks = entries.every((e) => e.rebirth) ? 'which asks for them (rebirth: true)' : 'which asks for them where the subscription has rebirth: true';
      return (
        `dry run: ${messages} Sparkplug DATA ${messages === 1 ? 'message' : 'messages'} of ${who} came on ${subscriptions.join(', ')}, but no birth of ${one ? 'it' : 'theirs'} (none is retained at the broker either): ` +
        `DATA names metrics by aliases that only the births define, and a dry run asks no edge node for its births (a rebirth request would make ${one ? 'it' : 'them'} publish them to every host on the broker), so none of it was decoded. ` +
        `To see ${one ? 'its' : 'their'} data: keep the dry run going until ${one ? 'the edge node publishes its' : 'the edge nodes publish their'} births (${one ? 'it does' : 'each does'} when it reconnects; with --once, a longer --once-timeout waits for them), or run the bridge without --dry-run, ${asks}`
      );
    },
  };
}
