/**
 * Ends the vitest output with the plain line `tests: N passed, N failed, N skipped`, which any CI
 * can read without knowing vitest's own summary format.
 */
import type { Reporter, TestModule } from "vitest/node";

export default class PlainSummaryReporter implements Reporter {
  private line = "";

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of testModules)
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") passed++;
        else if (state === "failed") failed++;
        else skipped++;
      }
    this.line = `tests: ${passed} passed, ${failed} failed, ${skipped} skipped`;
  }

  // Called after every reporter's onTestRunEnd, so the line comes after vitest's own summary.
  onFinished(): void {
    if (this.line !== "") process.stdout.write(`${this.line}\n`);
  }
}
