/**
 * Vitest setup file: gives every fast-check property the same seed (see ./fuzz.ts), so
 * `npm test` is deterministic. A failure report names the seed and the counterexample path.
 */
import fc from "fast-check";
import { FUZZ_SEED, runs } from "./fuzz.js";

// Properties without their own numRuns get fast-check's 100, or the fuzz runner's --runs.
fc.configureGlobal({ seed: FUZZ_SEED, numRuns: runs(100) });
