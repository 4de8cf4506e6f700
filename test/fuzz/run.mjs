#!/usr/bin/env node
/**
 * `npm run fuzz`: runs the property-based tests again and again with fresh random seeds, for
 * minutes, and stops at the first counterexample. `npm test` always uses one fixed seed
 * (test/support/fuzz.ts); this is where new cases are found. Turn each one into a named
 * regression test (see README, "Fuzzing").
 *
 *   npm run fuzz                          # 10 minutes of random seeds, 1000 runs per property
 *   npm run fuzz -- --minutes 60          # longer
 *   npm run fuzz -- --seed 1234567        # replay one seed (one round)
 *   npm run fuzz -- --runs 200 --files test/fuzz/server-input.test.ts
 */
import { spawnSync } from "node:child_process";
import { randomInt } from "node:crypto";
import { parseArgs } from "node:util";

const DEFAULT_FILES = [
  "test/fuzz",
  "test/unit/protocol/resp-reader.test.ts",
  "test/unit/protocol/time-job-json.test.ts",
];

const { values } = parseArgs({
  options: {
    seed: { type: "string" },
    runs: { type: "string", default: "1000" },
    minutes: { type: "string", default: "10" },
    files: { type: "string", multiple: true },
    help: { type: "boolean", short: "h" },
  },
});

if (values.help) {
  console.log("usage: npm run fuzz -- [--seed N] [--runs N] [--minutes M] [--files path ...]");
  process.exit(0);
}

function integer(name, text, min) {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min) {
    console.error(`--${name} must be an integer >= ${min}, got ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return value;
}

const runs = integer("runs", values.runs, 1);
const minutes = Number(values.minutes);
if (!(minutes > 0)) {
  console.error(`--minutes must be a positive number, got ${JSON.stringify(values.minutes)}`);
  process.exit(2);
}
const fixedSeed = values.seed === undefined ? undefined : integer("seed", values.seed, -(2 ** 31));
const files = values.files ?? DEFAULT_FILES;
const deadline = Date.now() + minutes * 60_000;

let round = 0;
do {
  round++;
  const seed = fixedSeed ?? randomInt(-(2 ** 31), 2 ** 31);
  console.log(`\n=== fuzz round ${round}: seed ${seed}, ${runs} runs per property, files ${files.join(" ")}`);
  const result = spawnSync("npx", ["vitest", "run", ...files], {
    stdio: "inherit",
    env: { ...process.env, FAKTORY_FUZZ_SEED: String(seed), FAKTORY_FUZZ_RUNS: String(runs) },
  });
  if (result.status !== 0) {
    console.error(
      `\nfuzz: counterexample with seed ${seed} (round ${round}). Replay it with\n` +
        `  npm run fuzz -- --seed ${seed} --runs ${runs} --files ${files.join(" ")}\n` +
        "then add the shrunk case from the report above as a named regression test.",
    );
    process.exit(1);
  }
} while (fixedSeed === undefined && Date.now() < deadline);
console.log(`\nfuzz: ${round} round(s), no counterexample.`);
