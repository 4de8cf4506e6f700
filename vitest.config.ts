import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: "forks",
    // Fixed fast-check seed for every property test (npm run fuzz explores other seeds).
    setupFiles: ["./test/support/fast-check-setup.ts"],
    globalSetup: ["./test/browser/global-setup.ts"],
    reporters: ["default", "./test/support/plain-summary-reporter.ts"],
  },
});
