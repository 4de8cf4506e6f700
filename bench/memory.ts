/**
 * `npm run bench:memory`: memory per job of the embedded server's memory store (see
 * server-memory.ts).
 *
 *   npm run bench:memory                        100k and 1M queued, 100k scheduled
 *   npm run bench:memory -- 100000,500000 50000 queued sizes, scheduled sizes (0: none)
 */
import { formatServerMemory, measureServerMemory } from "./server-memory.js";

const [sizesArg, scheduledArg] = process.argv.slice(2);
const list = (arg: string | undefined, fallback: number[]): number[] =>
  arg === undefined
    ? fallback
    : arg
        .split(",")
        .map(Number)
        .filter((n) => n > 0);
const result = await measureServerMemory(
  list(sizesArg, [100_000, 1_000_000]),
  list(scheduledArg, [100_000]),
  (f) => process.stderr.write(`\r${(f * 100).toFixed(0)}%`),
);
process.stderr.write("\r");
console.log(formatServerMemory(result).join("\n"));
