/**
 * The vitest configuration Stryker runs (`npm run mutate`): the normal one minus the plain
 * summary reporter and, unless `MUTATE_E2E=1`, minus the slow end-to-end files that add little
 * for mutation testing (chaos and fuzz runs, browser tests, worker threads and tests of the built dist/ files,
 * which never see a mutant).
 */
import { defineConfig, mergeConfig } from "vitest/config";
import base from "./vitest.config.js";

const SLOW_E2E = [
  "test/chaos/**",
  "test/browser/**",
  "test/fuzz/**",
  "test/integration/worker/threads.test.ts",
  "test/integration/server/cli.test.ts",
  "test/unit/package/exports.test.ts",
];

const config = mergeConfig(
  base,
  defineConfig({
    test: {
      exclude: ["**/node_modules/**", ...(process.env.MUTATE_E2E === "1" ? [] : SLOW_E2E)],
    },
  }),
);
config.test = { ...config.test, reporters: ["default"] };
export default config;
