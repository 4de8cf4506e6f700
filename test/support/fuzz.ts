/**
 * Settings of the property-based tests. `npm test` always uses {@link FIXED_SEED}, so a red run
 * is caused by the change under test, never by the dice. `npm run fuzz` (test/fuzz/run.mjs)
 * sets `FAKTORY_FUZZ_SEED` and `FAKTORY_FUZZ_RUNS` to explore with fresh random seeds.
 */

/** The seed of every property test under `npm test`. */
export const FIXED_SEED = 20_261_204;

function envInt(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text === "") return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value))
    throw new Error(`${name} must be an integer, got ${JSON.stringify(text)}`);
  return value;
}

/** The seed in use: `FAKTORY_FUZZ_SEED` when set (by `npm run fuzz`), else {@link FIXED_SEED}. */
export const FUZZ_SEED: number = envInt("FAKTORY_FUZZ_SEED") ?? FIXED_SEED;

/**
 * The number of runs for a property: `n` under `npm test`, or `FAKTORY_FUZZ_RUNS` under
 * `npm run fuzz --runs N`. Use it for every `numRuns` so that the fuzz runner can scale them.
 */
export function runs(n: number): number {
  return envInt("FAKTORY_FUZZ_RUNS") ?? n;
}
