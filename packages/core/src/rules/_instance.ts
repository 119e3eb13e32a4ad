import { MAX_SOURCES, type Notes } from './_state.js';
import type { ResolvedBy, Rule } from './rule-types.js';

/** Where one instance of a rule is. `recovering`: firing, its condition false, waiting out `recoverForMs`. */
export type Phase = 'idle' | 'pending' | 'firing' | 'recovering';

/**
 * One instance of a rule: a source (`per: 'source'`), or every source (`per: 'all'`). Its times
 * are on the rule's `monotonicNow` clock, which never steps; events turn them into timestamps.
 */
export interface Instance {
  /** The source it watches; undefined for a rule `per: 'all'`. */
  readonly sourceId: string | undefined;
  /** Its points carried no `source_id` (the sink's own source): its events carry none either. */
  readonly own: boolean;
  /** What the `*` stands for in the metric it watches (`RuleView.match`); undefined but for a condition reading `value("freezer*.temperature")`. */
  readonly match: string | undefined;
  /** Its key among the rule's instances: its source and match. */
  readonly key: string | undefined;
  phase: Phase;
  /** When the condition began to hold (pending and after). */
  since: number;
  /**
   * The same moment as a timestamp (ms since the epoch, on the rule's `now`), read then: the fired
   * event's `since`. Taken from the clock, not worked out back from the fire, so that a stamp
   * taken before the sink's first clock sample is one the sink knows and moves onto server time
   * with the event's own timestamp.
   */
  sinceStamp: number;
  firedAt: number;
  /**
   * The fired event's timestamp (ms since the epoch, on the rule's `now`), read once at the fire:
   * the resolved event's `fired_at` repeats it, so a receiver can pair the two.
   */
  firedStamp: number;
  /** When the condition turned false while firing (`recovering`). */
  falseSince: number;
  lastFiredAt: number;
  lastDataAt: number;
  /**
   * Resolved by silence, and no point since: evaluations on the clock leave it alone (silence
   * resolved it whatever the condition says, and a condition on `age()` would fire it again at once).
   */
  silenced: boolean;
  /** What the last known evaluation read (or noted). */
  readonly notes: Notes;
  timer: NodeJS.Timeout | undefined;
}

/** The instances of one rule and their state machine. */
export interface Instances {
  /**
   * The instance of `sourceId` (undefined: the one of a rule `per: 'all'`) and `match` (see
   * {@link Instance.match}), created on first use; undefined past {@link MAX_SOURCES} instances.
   */
  get(sourceId: string | undefined, own: boolean, match?: string): Instance | undefined;
  /** One known evaluation at `now`: the condition holds or not. */
  step(instance: Instance, holds: boolean, now: number): void;
  /** Calls `visit` with every instance. */
  forEach(visit: (instance: Instance) => void): void;
  /** Instances firing (or recovering) now. */
  firing(): number;
  /** Forgets every instance and clears their timers. */
  clear(): void;
  /** Clears the timers, keeping every instance where it is (a rule set stopped; see {@link resume}). */
  pause(): void;
  /** Arms again the timers a pending or silence-recovering instance needs: one due while paused runs at once. */
  resume(): void;
  /** Gives every instance away (to the rule of the same definition a reload made), timers cleared; none is left here. */
  handOver(): Map<string | undefined, Instance>;
  /** Takes the instances another rule handed over as its own, with their phases, times and counts; then {@link resume}. */
  adopt(instances: Map<string | undefined, Instance>): void;
  /** Resolves every firing instance `by` (a reload that removed or changed the rule), then forgets them all. */
  endAll(by: ResolvedBy): void;
}

type Emit = (instance: Instance, kind: 'fired' | 'resolved', atMs: number, by?: ResolvedBy) => void;
/** Evaluates the instance's condition now, keeping what it read: true, false, or undefined (cannot tell, or it threw). */
type Recheck = (instance: Instance) => boolean | undefined;

/**
 * The RelayX alert lifecycle, per instance: idle -> pending (the condition holds) -> firing once
 * it has held for `forMs` and the cooldown since the last fire is over -> idle again when it
 * resolves. Timers only wake the instance; every decision reads the rule's `monotonicNow`, so a
 * timer that wakes early (another clock, a coarse timer) just sleeps again, and a correction of
 * the wall clock (the sink's first server sample) neither fires nor resolves anything early.
 * With `recheck` (a condition that time alone changes), a pending instance is evaluated again
 * when its `for` ends, and fires only if the condition still holds.
 */
export function createInstances(o: Rule['options'], emit: Emit, recheck?: Recheck): Instances {
  const all = new Map<string | undefined, Instance>();
  let firing = 0;

  const dueToFire = (i: Instance) => Math.max(i.since + o.forMs, i.lastFiredAt + o.cooldownMs);
  const quietSince = (i: Instance) => Math.max(i.firedAt, i.lastDataAt);

  const schedule = (i: Instance, atMs: number, now: number) => {
    if (i.timer) clearTimeout(i.timer);
    i.timer = setTimeout(() => wake(i), Math.max(1, Math.ceil(atMs - now)));
    i.timer.unref?.();
  };
  const cancel = (i: Instance) => {
    if (i.timer) clearTimeout(i.timer);
    i.timer = undefined;
  };

  function wake(i: Instance): void {
    i.timer = undefined;
    if (all.get(i.key) !== i) return;
    const now = o.monotonicNow();
    if (i.phase === 'pending') {
      const due = dueToFire(i);
      if (now < due) return schedule(i, due, now);
      if (recheck?.(i) === false) {
        i.phase = 'idle';
        return;
      }
      // A listener of the recheck may have reset the rule meanwhile.
      if (i.phase === 'pending' && all.get(i.key) === i) fire(i, now);
    } else if ((i.phase === 'firing' || i.phase === 'recovering') && o.recovery === 'silence') {
      const due = quietSince(i) + o.recoverForMs;
      if (now >= due) resolve(i, 'silence', now);
      else schedule(i, due, now);
    }
  }

  function fire(i: Instance, now: number): void {
    cancel(i);
    i.phase = 'firing';
    i.firedAt = now;
    i.lastFiredAt = now;
    firing += 1;
    emit(i, 'fired', now);
    // The countdown of a recovery by silence starts at the fire (RelayX's TIMER).
    if (o.recovery === 'silence' && i.phase === 'firing') schedule(i, quietSince(i) + o.recoverForMs, now);
  }

  function resolve(i: Instance, by: ResolvedBy, now: number): void {
    cancel(i);
    i.phase = 'idle';
    i.silenced = by === 'silence';
    firing -= 1;
    emit(i, 'resolved', now, by);
  }

  /** The timer an instance needs in its phase: the end of its `for` (pending), or of the silence that resolves it. */
  function arm(i: Instance, now: number): void {
    if (i.phase === 'pending') schedule(i, dueToFire(i), now);
    else if ((i.phase === 'firing' || i.phase === 'recovering') && o.recovery === 'silence') schedule(i, quietSince(i) + o.recoverForMs, now);
  }
  const isFiring = (i: Instance): boolean => i.phase === 'firing' || i.phase === 'recovering';
  const clear = (): void => {
    for (const i of all.values()) cancel(i);
    all.clear();
    firing = 0;
  };
  const resume = (): void => {
    const now = o.monotonicNow();
    for (const i of all.values()) arm(i, now);
  };

  return {
    get(sourceId, own, match) {
      // A source id has no NUL: the key of a match cannot be a source's.
      const key = match === undefined ? sourceId : `${sourceId ?? ''}\u0000${match}`;
      let i = all.get(key);
      if (i) return i;
      if (all.size >= MAX_SOURCES) return undefined;
      i = { sourceId, own, match, key, phase: 'idle', since: 0, sinceStamp: 0, firedAt: 0, firedStamp: 0, falseSince: 0, lastFiredAt: -Infinity, lastDataAt: 0, silenced: false, notes: { keys: [], values: [], n: 0 }, timer: undefined };
      all.set(key, i);
      return i;
    },
    step(i, holds, now) {
      switch (i.phase) {
        case 'idle': {
          if (!holds) return;
          i.phase = 'pending';
          i.since = now;
          i.sinceStamp = o.now();
          const due = dueToFire(i);
          if (now >= due) fire(i, now);
          else schedule(i, due, now);
          return;
        }
        case 'pending':
          if (!holds) {
            cancel(i);
            i.phase = 'idle';
          }
          return;
        case 'firing':
          if (holds || o.recovery !== 'value') return;
          if (o.recoverForMs === 0) resolve(i, 'value', now);
          else {
            i.phase = 'recovering';
            i.falseSince = now;
          }
          return;
        case 'recovering':
          if (holds) i.phase = 'firing';
          else if (now - i.falseSince >= o.recoverForMs) resolve(i, 'value', now);
          return;
      }
    },
    forEach(visit) {
      for (const i of all.values()) visit(i);
    },
    firing: () => firing,
    clear,
    pause() {
      for (const i of all.values()) cancel(i);
    },
    resume,
    handOver() {
      for (const i of all.values()) cancel(i);
      const given = new Map(all);
      all.clear();
      firing = 0;
      return given;
    },
    adopt(instances) {
      for (const [sourceId, i] of instances) {
        all.set(sourceId, i);
        if (isFiring(i)) firing += 1;
      }
      resume();
    },
    endAll(by) {
      const now = o.monotonicNow();
      for (const i of [...all.values()]) if (isFiring(i)) resolve(i, by, now);
      clear();
    },
  };
}
