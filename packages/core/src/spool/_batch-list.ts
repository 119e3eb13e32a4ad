/** What a {@link BatchList} holds: anything with a batch id. */
export interface Keyed {
  readonly id: string;
}

/** One held entry in a {@link BatchList}. */
export interface BatchNode<T extends Keyed> {
  held: T;
  leased: boolean;
  prev: BatchNode<T> | undefined;
  next: BatchNode<T> | undefined;
}

/**
 * An ordered set of batches keyed by id: a doubly linked list plus a Map, so append, removal
 * anywhere, lookup and insertion next to a node are all O(1), with no array shifting however
 * long the backlog grows.
 */
export interface BatchList<T extends Keyed> {
  readonly size: number;
  get(id: string): BatchNode<T> | undefined;
  /** Adds at the tail. The id must not be held. */
  push(held: T): BatchNode<T>;
  /** Adds right after `node`, or at the head when `node` is undefined. The id must not be held. */
  insertAfter(node: BatchNode<T> | undefined, held: T): BatchNode<T>;
  remove(node: BatchNode<T>): void;
  /** Nodes from oldest to newest; safe against removal of the node just yielded. */
  nodes(): Generator<BatchNode<T>>;
  clear(): void;
}

/** Creates an empty {@link BatchList}. */
export function createBatchList<T extends Keyed>(): BatchList<T> {
  const byId = new Map<string, BatchNode<T>>();
  let head: BatchNode<T> | undefined;
  let tail: BatchNode<T> | undefined;

  const link = (held: T, prev: BatchNode<T> | undefined): BatchNode<T> => {
    const next = prev === undefined ? head : prev.next;
    const node: BatchNode<T> = { held, leased: false, prev, next };
    if (prev === undefined) head = node;
    else prev.next = node;
    if (next === undefined) tail = node;
    else next.prev = node;
    byId.set(held.id, node);
    return node;
  };

  return {
    get size() {
      return byId.size;
    },
    get: (id) => byId.get(id),
    push: (held) => link(held, tail),
    insertAfter: (node, held) => link(held, node),
    remove(node) {
      if (node.prev === undefined) head = node.next;
      else node.prev.next = node.next;
      if (node.next === undefined) tail = node.prev;
      else node.next.prev = node.prev;
      byId.delete(node.held.id);
    },
    *nodes() {
      let node = head;
      while (node !== undefined) {
        const next = node.next;
        yield node;
        node = next;
      }
    },
    clear() {
      byId.clear();
      head = undefined;
      tail = undefined;
    },
  };
}
