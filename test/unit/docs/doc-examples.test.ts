import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const script = fileURLToPath(new URL("../../../scripts/check-doc-examples.mjs", import.meta.url));

const readme = [
  "# Fixture", //                                       1
  "", //                                                2
  "```ts", //                                           3
  'import { Client } from "faktory-ts";', //            4
  "const client = await Client.connect();", //          5
  'await client.push("A", [1]);', //                    6
  "```", //                                             7
  "", //                                                8
  "```sh", //                                           9
  "npm test", //                                        10
  "```", //                                             11
].join("\n");

const guide = [
  "# Guide", //                                         1
  "", //                                                2
  "```ts", //                                           3
  "declare function area(width: number): number;", //   4
  "", //                                                5
  'const a: number = area("wide");', //                 6: error at column 24
  "```", //                                             7
  "", //                                                8
  "```ts nocheck", //                                   9
  "const partial: number = notDeclaredAnywhere;", //    10: skipped
  "```", //                                             11
  "", //                                                12
  "- In a list:", //                                    13
  "", //                                                14
  "  ```ts", //                                         15
  "  const n: string = 42;", //                         16: error at column 9 (indent 2 + 7)
  "  ```", //                                           17
].join("\n");

describe("docs example checker (scripts/check-doc-examples.mjs)", () => {
  let root: string;
  let result: { code: number; stdout: string; stderr: string };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "doc-examples-"));
    writeFileSync(join(root, "README.md"), readme);
    mkdirSync(join(root, "docs"));
    writeFileSync(join(root, "docs", "guide.md"), guide);
    result = await new Promise((resolve) => {
      execFile(process.execPath, [script, "--root", root], (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      });
    });
  }, 120_000);

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("fails and names the Markdown file, line and column of each error", () => {
    expect(result.code).toBe(1);
    const errors = result.stderr.split("\n").filter((line) => line.includes(" - error TS"));
    expect(errors).toEqual([
      expect.stringMatching(/^docs\/guide\.md:6:24 - error TS2345: Argument of type 'string'/),
      expect.stringMatching(/^docs\/guide\.md:16:9 - error TS2322: Type 'number' is not assignable/),
    ]);
    expect(result.stderr).toContain("docs examples: 3 ```ts blocks from 2 Markdown files, 2 errors");
  });

  it("checks a block importing the package by its public name against the sources", () => {
    // The README block imports "faktory-ts" and calls the real API: it produced no error above.
    expect(result.stderr).not.toContain("README.md");
    expect(readFileSync(join(root, ".docs-examples", "README.md.L3.mts"), "utf8")).toContain(
      'import { Client } from "faktory-ts";',
    );
  });

  it("skips ```ts nocheck blocks and other languages", () => {
    expect(result.stderr).not.toContain("notDeclaredAnywhere");
    expect(result.stderr).not.toContain("guide.md:10");
  });
});
