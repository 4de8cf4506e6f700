import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";

// `npm test` builds first (pretest), so dist/ is the package users get.
const built = existsSync(new URL("../../../dist/index.js", import.meta.url));

function node(args: string[]): string {
  return execFileSync(process.execPath, args, {
    cwd: new URL("../../..", import.meta.url),
    encoding: "utf8",
  });
}

describe.skipIf(!built)("package exports", () => {
  for (const subpath of ["faktory-ts", "faktory-ts/server", "faktory-ts/testing"]) {
    it(`${subpath} resolves from ESM and CommonJS`, () => {
      const esm = node([
        "--input-type=module",
        "-e",
        `const m = await import("${subpath}"); console.log(typeof m)`,
      ]);
      expect(esm.trim()).toBe("object");
      const cjs = node(["-e", `console.log(typeof require("${subpath}"))`]);
      expect(cjs.trim()).toBe("object");
    });
  }

  it("exports the error tree from the root in both formats", () => {
    const out = node([
      "-e",
      'const f = require("faktory-ts"); const e = new f.ServerError("ERR", "x"); console.log(e instanceof f.FaktoryError, e.code)',
    ]);
    expect(out.trim()).toBe("true SERVER");
  });
});
