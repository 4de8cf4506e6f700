/**
 * A sorted list kept in chunks of at most {@link CHUNK} entries, ordered by `(score, id)`.
 * Adding, removing and taking the first entry cost O(log n + CHUNK); reading a page at any
 * offset skips whole chunks, so paging a million-entry set never copies or sorts it.
 * @module
 */

/** What the list orders: a score, then an id that breaks ties in insertion order. */
export interface Ordered {
  /** Primary order, ascending. */
  readonly score: number;
  /** Tie-break, ascending; unique within one list. */
  readonly id: number;
}

const CHUNK = 512;

function before(a: Ordered, b: Ordered): boolean {
  return a.score < b.score || (a.score === b.score && a.id < b.id);
}

/** Entries ordered by `(score, id)`, with lookup by id. */
export class SortedList<V extends Ordered> {
  private chunks: V[][] = [];
  private readonly byId = new Map<number, V>();

  /** Number of entries. */
  get size(): number {
    return this.byId.size;
  }

  /** The entry with this id. */
  get(id: number): V | undefined {
    return this.byId.get(id);
  }

  /** The first entry. */
  first(): V | undefined {
    return this.chunks[0]?.[0];
  }

  /** Inserts an entry (its id must not be in the list). */
  add(value: V): void {
    this.byId.set(value.id, value);
    if (this.chunks.length === 0) {
      this.chunks.push([value]);
      return;
    }
    const c = this.chunkFor(value);
    const chunk = this.chunks[c] as V[];
    chunk.splice(this.indexIn(chunk, value), 0, value);
    if (chunk.length > CHUNK) this.chunks.splice(c + 1, 0, chunk.splice(CHUNK / 2));
  }

  /** Removes the entry with this id and returns it. */
  delete(id: number): V | undefined {
    const value = this.byId.get(id);
    if (value === undefined) return undefined;
    this.byId.delete(id);
    const c = this.chunkFor(value);
    const chunk = this.chunks[c] as V[];
    chunk.splice(this.indexIn(chunk, value), 1);
    if (chunk.length === 0) this.chunks.splice(c, 1);
    return value;
  }

  /** Removes and returns the first entry. */
  shift(): V | undefined {
    const first = this.first();
    return first === undefined ? undefined : this.delete(first.id);
  }

  /** The first entry (in order) with a score in `[low, high]` for which `match` holds. */
  findIn(low: number, high: number, match: (value: V) => boolean): V | undefined {
    if (this.chunks.length === 0) return undefined;
    const probe: Ordered = { score: low, id: Number.NEGATIVE_INFINITY };
    const start = this.chunkFor(probe);
    for (let c = start; c < this.chunks.length; c++) {
      const chunk = this.chunks[c] as V[];
      for (let i = c === start ? this.indexIn(chunk, probe) : 0; i < chunk.length; i++) {
        const v = chunk[i] as V;
        if (v.score > high) return undefined;
        if (match(v)) return v;
      }
    }
    return undefined;
  }

  /** Up to `limit` entries from position `offset`, in order. */
  page(offset: number, limit: number): V[] {
    const out: V[] = [];
    let skip = Math.max(0, offset);
    for (const chunk of this.chunks) {
      if (out.length >= limit) break;
      if (skip >= chunk.length) {
        skip -= chunk.length;
        continue;
      }
      for (let i = skip; i < chunk.length && out.length < limit; i++) out.push(chunk[i] as V);
      skip = 0;
    }
    return out;
  }

  /** Every entry, in order. */
  values(): V[] {
    return this.chunks.flat();
  }

  /** Removes every entry. */
  clear(): void {
    this.chunks = [];
    this.byId.clear();
  }

  /** Index of the chunk where `value` belongs: the last chunk whose first entry is not after it. */
  private chunkFor(value: Ordered): number {
    let lo = 0;
    let hi = this.chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (before(value, (this.chunks[mid] as V[])[0] as V)) hi = mid - 1;
      else lo = mid;
    }
    return lo;
  }

  /** First index in `chunk` whose entry is not before `value`. */
  private indexIn(chunk: readonly V[], value: Ordered): number {
    let lo = 0;
    let hi = chunk.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (before(chunk[mid] as V, value)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
