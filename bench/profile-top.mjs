#!/usr/bin/env node
/**
 * Top self-time entries of a V8 .cpuprofile (as written by `node --cpu-prof`, e.g. by
 * `npm run bench -- --profile`): `node bench/profile-top.mjs file.cpuprofile [count]`.
 * Prints each function's share of the sampled time, with its source location.
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";

const [file, countArg] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write("usage: node bench/profile-top.mjs file.cpuprofile [count]\n");
  process.exit(2);
}
const count = Number(countArg ?? 25);
const profile = JSON.parse(readFileSync(file, "utf8"));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const hits = new Map();
const deltas = profile.timeDeltas;
profile.samples.forEach((id, i) => {
  hits.set(id, (hits.get(id) ?? 0) + (deltas[i + 1] ?? deltas[i] ?? 0));
});
const self = new Map();
let total = 0;
for (const [id, us] of hits) {
  const { callFrame: f } = byId.get(id);
  const where = f.url === "" ? "" : ` ${basename(f.url)}:${f.lineNumber + 1}`;
  const key = `${f.functionName || "(anonymous)"}${where}`;
  self.set(key, (self.get(key) ?? 0) + us);
  total += us;
}
const idle = self.get("(idle)") ?? 0;
process.stdout.write(
  `${basename(file)}: ${(total / 1000).toFixed(0)} ms sampled, ${(idle / 1000).toFixed(0)} ms idle\n`,
);
const rows = [...self].filter(([k]) => k !== "(idle)").sort((a, b) => b[1] - a[1]);
for (const [key, us] of rows.slice(0, count))
  process.stdout.write(
    `${((us / (total - idle)) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${key}\n`,
  );
