import { defineConfig } from "tsup";

/**
 * Builds the benchmark (`npm run bench`) from bench/*.ts and the library's src/ into
 * node_modules/.cache/faktory-ts-bench (out of git and of biome's way). Each library adapter is
 * its own chunk, so a faktory-worker child never loads faktory-ts code and vice versa.
 */
export default defineConfig({
  entry: {
    run: "bench/run.ts",
    "server-process": "bench/server-process.ts",
    "scenario-process": "bench/scenario-process.ts",
    "load-process": "bench/load-process.ts",
    durable: "bench/durable.ts",
    "server-micro": "bench/server-micro.ts",
    memory: "bench/memory.ts",
    "memory-process": "bench/memory-process.ts",
  },
  outDir: "node_modules/.cache/faktory-ts-bench",
  format: ["esm"],
  target: "node20",
  platform: "node",
  sourcemap: true,
  clean: true,
  splitting: true,
  dts: false,
  external: ["faktory-worker", "better-sqlite3"],
});
