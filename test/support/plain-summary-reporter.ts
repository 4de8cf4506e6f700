/**
 * Ends the vitest output with the plain line `tests: N passed, N failed, N skipped`, which any CI
 * can read without knowing vitest's own summary format.
 *
 * Errors outside tests count as failures too, so the line never says `0 failed` for a run that
 * failed: a test file that cannot be loaded (a throw or a bad import at collection), a failing
 * `beforeAll`/`afterAll` of a file or suite, and unhandled errors. Each counts once, and is named
 * on a `failed outside tests:` line before the summary.
 */
import { relative } from "node:path";
import type { Reporter, SerializedError, TestModule, TestSuite } from "vitest/node";

export default class PlainSummaryReporter implements Reporter {
  private lines: string[] = [];

  onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError> = [],
  ): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const outside: string[] = [];
    for (const module of testModules) {
      const file = relative(process.cwd(), module.moduleId);
      const suites: (TestModule | TestSuite)[] = [module, ...module.children.allSuites()];
      for (const suite of suites) {
        const errors = suite.errors();
        if (errors.length === 0) continue;
        const where = suite.type === "module" ? file : `${file} > ${suite.fullName}`;
        outside.push(`${where}: ${errors[0]?.message ?? "error"}`);
      }
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") passed++;
        else if (state === "failed") failed++;
        else skipped++;
      }
    }
    for (const error of unhandledErrors) outside.push(`unhandled error: ${error.message ?? "error"}`);
    failed += outside.length;
    this.lines = outside.map((o) => `failed outside tests: ${firstLine(o)}`);
    this.lines.push(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  }

  // Called after every reporter's onTestRunEnd, so the lines come after vitest's own summary.
  onFinished(): void {
    if (this.lines.length > 0) process.stdout.write(`${this.lines.join("\n")}\n`);
  }
}

function firstLine(text: string): string {
  const line = text.split("\n", 1)[0]!;
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
