import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script without declarations
import { anchorsOf, checkLinks, linksOf, slug } from "../../../scripts/check-doc-links.mjs";

const repo = fileURLToPath(new URL("../../..", import.meta.url));

const readme = [
  "# Fixture", //                                                   1
  "", //                                                            2
  "See [the guide](docs/guide.md#one-handler-performjob).", //     3: ok
  "And [a missing one](docs/missing.md).", //                      4: broken file
  "And [a bad anchor](docs/guide.md#nothing-here).", //            5: broken anchor
  "Not a link: `[x](nowhere.md)`; a URL: [web](https://example.com/x.md).", // 6: skipped
  "", //                                                            7
  "```sh", //                                                       8
  "echo [x](inside-code.md)", //                                    9: skipped
  "```", //                                                         10
  "[ref]: docs/guide.md#errors-1", //                               11: ok (second "Errors")
].join("\n");

const guide = [
  "# Guide", //
  "", //
  "## One handler: `performJob`", //
  "", //
  "## Errors", //
  "", //
  "## Errors", //
  "", //
  '<a id="custom"></a>', //
  "Back to [the top](#guide), [custom](#custom) and [nowhere](#nowhere).", // 10: one broken
  "Up: [README](../README.md#fixture).", //
].join("\n");

describe("docs link checker (scripts/check-doc-links.mjs)", () => {
  let root: string;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "doc-links-"));
    writeFileSync(join(root, "README.md"), readme);
    mkdirSync(join(root, "docs"));
    writeFileSync(join(root, "docs", "guide.md"), guide);
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("slugs headings the way GitHub does", () => {
    expect(slug("One handler: `performJob`")).toBe("one-handler-performjob");
    expect(slug("Running: run, runToCompletion, runOne")).toBe("running-run-runtocompletion-runone");
    expect(slug("Metrics: GET /metrics")).toBe("metrics-get-metrics");
    expect(slug("max_retries and [links](x.md)")).toBe("max_retries-and-links");
    expect([...anchorsOf(guide)]).toEqual([
      "guide",
      "one-handler-performjob",
      "errors",
      "errors-1",
      "custom",
    ]);
  });

  it("finds link targets outside code, URLs left out", () => {
    expect(linksOf(readme).map((l: { line: number; target: string }) => `${l.line} ${l.target}`)).toEqual([
      "3 docs/guide.md#one-handler-performjob",
      "4 docs/missing.md",
      "5 docs/guide.md#nothing-here",
      "11 docs/guide.md#errors-1",
    ]);
  });

  it("reports each missing file and anchor at its file and line", () => {
    expect(checkLinks(root)).toEqual([
      "README.md:4 - docs/missing.md: docs/missing.md does not exist",
      "README.md:5 - docs/guide.md#nothing-here: no heading with the anchor #nothing-here",
      "docs/guide.md:10 - #nowhere: no heading with the anchor #nowhere",
    ]);
  });

  it("finds no broken link in the repository's README.md and docs/", () => {
    expect(checkLinks(repo)).toEqual([]);
  });
});
