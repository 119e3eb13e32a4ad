import type { Batch } from '../shared/batch.js';

/** One held batch in a {@link BatchList}. */
export interface BatchNode {
  batch: Batch;
  leased: boolean;
  prev: BatchNode | undefined;
  next: BatchNode | undefined;
}

/**
 * An ordered set of batches keyed by id: a doubly linked list plus a Map, so append, removal
 * anywhere, lookup and insertion next to a node are all O(1), with no array shifting however
 * long the backlog grows.
 */
export interface BatchList {
  readonly size: number;
  get(id: string): BatchNode | undefined;
  /** Adds at the tail. The id must not be held. */
  push(batch: Batch): BatchNode;
  /** Adds right after `node`, or at the head when `node` is undefined. The id must not be held. */
  insertAfter(node: BatchNode | undefined, batch: Batch): BatchNode;
  remove(node: BatchNode): void;
  /** Nodes from oldest to newest; safe against removal of the node just yielded. */
  nodes(): Generator<BatchNode>;
  clear(): void;
}

/** Creates an empty {@link BatchList}. */
export function createBatchList(): BatchList {
  const byId = new Map<string, BatchNode>();
  let head: BatchNode | undefined;
  let tail: BatchNode | undefined;

  const link = (batch: Batch, prev: BatchNode | undefined): BatchNode => {
    const next = prev === undefined ? head : prev.next;
    const node: BatchNode = { batch, leased: false, prev, next };
    if (prev === undefined) head = node;
    else prev.next = node;
    if (next === undefined) tail = node;
    else next.prev = node;
    byId.set(batch.id, node);
    return node;
  };

  return {
    get size() {
      return byId.size;
    },
    get: (id) => byId.get(id),
    push: (batch) => link(batch, tail),
    insertAfter: (node, batch) => link(batch, node),
    remove(node) {
      if (node.prev === undefined) head = node.next;
      else node.prev.next = node.next;
      if (node.next === undefined) tail = node.prev;
      else node.next.prev = node.prev;
      byId.delete(node.batch.id);
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
