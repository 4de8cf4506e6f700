/**
 * vitest setup file: every fast-check property runs from a fixed seed, so `npm test` is
 * deterministic. To explore new inputs, set `FC_SEED` (an integer) or `FC_SEED=random`; a
 * failure prints its seed and path for replaying.
 */
import fc from "fast-check";

const FIXED_SEED = 20261128;
const env = process.env.FC_SEED;
if (env !== "random")
  fc.configureGlobal({ seed: env === undefined || env === "" ? FIXED_SEED : Number(env) });
