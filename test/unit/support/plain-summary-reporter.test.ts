/**
 * The plain summary line (test/support/plain-summary-reporter.ts), run on the fixtures in
 * test/fixtures/reporter by a separate vitest process: a file that fails to load, or a failing
 * hook, counts as a failure and is named, so the line never reads "0 failed" for a failed run.
 */
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../fixtures/reporter/", import.meta.url));
const VITEST = join(dirname(createRequire(import.meta.url).resolve("vitest/package.json")), "vitest.mjs");

/** Runs the fixture files matching `filters`; resolves with stdout's plain lines and the exit code. */
function runFixtures(...filters: string[]): Promise<{ lines: string[]; code: number }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("VITEST")));
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [VITEST, "run", "--root", ROOT, ...filters],
      { env: { ...env, NO_COLOR: "1", FORCE_COLOR: "0" }, timeout: 60_000 },
      (error, stdout) => {
        if (error !== null && typeof error.code !== "number") {
          reject(error);
          return;
        }
        const lines = stdout.split("\n").filter((l) => /^(tests|failed outside tests): /.test(l));
        resolve({ lines, code: error === null ? 0 : (error.code as number) });
      },
    );
  });
}

describe("plain summary reporter", () => {
  it("counts passed and skipped tests of a clean run", async () => {
    const { lines, code } = await runFixtures("passing");
    expect(code).toBe(0);
    expect(lines).toEqual(["tests: 2 passed, 0 failed, 1 skipped"]);
  });

  it("counts a file that fails to load as a failure and names it", async () => {
    const { lines, code } = await runFixtures("import-error");
    expect(code).not.toBe(0);
    expect(lines).toEqual([
      "failed outside tests: test/fixtures/reporter/import-error.fixture.ts: this file fails while it is loaded",
      "tests: 0 passed, 1 failed, 0 skipped",
    ]);
  });

  it("adds failing hooks to the failed tests, across files", async () => {
    const { lines, code } = await runFixtures();
    expect(code).not.toBe(0);
    expect(lines.at(-1)).toBe("tests: 2 passed, 3 failed, 2 skipped");
    expect(lines.slice(0, -1).sort()).toEqual([
      "failed outside tests: test/fixtures/reporter/hook-error.fixture.ts > a suite whose setup fails: setup failed",
      "failed outside tests: test/fixtures/reporter/import-error.fixture.ts: this file fails while it is loaded",
    ]);
  });
});
