/**
 * A binary min-heap keyed by an identity, so entries can be removed or replaced in O(log n).
 * Order is by `score`, then by insertion sequence (ties are FIFO).
 */
interface Node<K, V> {
  key: K;
  score: number;
  seq: number;
  value: V;
}

/** Min-heap of values by score, addressable by key. */
export class IndexedHeap<K, V> {
  private readonly nodes: Node<K, V>[] = [];
  private readonly positions = new Map<K, number>();
  private seq = 0;

  /** Number of entries. */
  get size(): number {
    return this.nodes.length;
  }

  /** Inserts, or replaces the entry with the same key. */
  set(key: K, score: number, value: V): void {
    if (this.positions.has(key)) this.delete(key);
    const node: Node<K, V> = { key, score, seq: this.seq++, value };
    this.nodes.push(node);
    this.positions.set(key, this.nodes.length - 1);
    this.up(this.nodes.length - 1);
  }

  /** The value stored under `key`. */
  get(key: K): V | undefined {
    const i = this.positions.get(key);
    return i === undefined ? undefined : this.nodes[i]!.value;
  }

  /** The value with the lowest score. */
  peek(): V | undefined {
    return this.nodes[0]?.value;
  }

  /** Score of the lowest entry. */
  peekScore(): number | undefined {
    return this.nodes[0]?.score;
  }

  /** Removes and returns the lowest entry's value. */
  pop(): V | undefined {
    const top = this.nodes[0];
    if (top === undefined) return undefined;
    this.delete(top.key);
    return top.value;
  }

  /** Removes the entry under `key` and returns its value. */
  delete(key: K): V | undefined {
    const i = this.positions.get(key);
    if (i === undefined) return undefined;
    const node = this.nodes[i]!;
    const last = this.nodes.pop()!;
    this.positions.delete(key);
    if (i < this.nodes.length) {
      this.nodes[i] = last;
      this.positions.set(last.key, i);
      this.down(i);
      this.up(i);
    }
    return node.value;
  }

  /** All values, ordered by score (a sorted copy). */
  sortedValues(): V[] {
    return [...this.nodes].sort((a, b) => this.compare(a, b)).map((n) => n.value);
  }

  /** Removes everything. */
  clear(): void {
    this.nodes.length = 0;
    this.positions.clear();
  }

  private compare(a: Node<K, V>, b: Node<K, V>): number {
    return a.score - b.score || a.seq - b.seq;
  }

  private up(i: number): void {
    const nodes = this.nodes;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.compare(nodes[i]!, nodes[parent]!) >= 0) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const nodes = this.nodes;
    const n = nodes.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let least = i;
      if (l < n && this.compare(nodes[l]!, nodes[least]!) < 0) least = l;
      if (r < n && this.compare(nodes[r]!, nodes[least]!) < 0) least = r;
      if (least === i) return;
      this.swap(i, least);
      i = least;
    }
  }

  private swap(a: number, b: number): void {
    const nodes = this.nodes;
    const na = nodes[a]!;
    const nb = nodes[b]!;
    nodes[a] = nb;
    nodes[b] = na;
    this.positions.set(nb.key, a);
    this.positions.set(na.key, b);
  }
}
