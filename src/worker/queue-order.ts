/**
 * The order in which a worker lists its queues in each FETCH. The server takes the first
 * non-empty queue of the list, so the order is the priority.
 * @module
 */
import { ConfigurationError } from "../protocol/errors.js";

/**
 * How queues are ordered in each FETCH:
 * - `"strict"`: as listed, every time. Earlier queues always win; later ones wait until they
 *   are empty (can starve).
 * - `"random"`: a fresh uniform shuffle for every FETCH: every queue is first equally often.
 * - `{ weighted: { critical: 6, default: 3, low: 1 } }`: a fresh weighted random order for each
 *   FETCH: a queue comes first with probability weight / total, so `low` is first one FETCH in
 *   ten and never starves. Queues missing from the map weigh 1.
 *
 * @example
 * ```ts
 * new Worker({ queues: ["critical", "default", "low"], queueOrder: { weighted: { critical: 6, default: 3, low: 1 } } });
 * ```
 */
export type QueueOrder = "strict" | "random" | { readonly weighted: Readonly<Record<string, number>> };

/**
 * Returns a function giving the queue list for the next FETCH.
 * `random` returns numbers in [0, 1) and is injectable for tests.
 * @example
 * ```ts
 * const next = queueOrderer(["a", "b"], "random");
 * next(); // ["b", "a"] or ["a", "b"]
 * ```
 */
export function queueOrderer(
  queues: readonly string[],
  order: QueueOrder = "strict",
  random: () => number = Math.random,
): () => string[] {
  const list = [...queues];
  if (order === "strict") return () => list;
  if (order === "random")
    return () => {
      const out = [...list];
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
      return out;
    };
  const weights = list.map((q) => {
    const w = Object.hasOwn(order.weighted, q) ? order.weighted[q] : 1; // own keys only
    if (!(typeof w === "number" && Number.isFinite(w) && w > 0))
      throw new ConfigurationError(`queue weight of ${q} must be a positive number, got ${String(w)}`);
    return w;
  });
  if (list.length < 2) return () => list;
  // Weighted random order without replacement (Efraimidis-Spirakis): sort by u^(1/w), largest
  // first. The first queue is q with probability w(q) / sum(w), and so on down the list.
  return () =>
    list
      .map((q, i) => ({ q, key: Math.log(1 - random()) / weights[i]! }))
      .sort((a, b) => b.key - a.key)
      .map((e) => e.q);
}
