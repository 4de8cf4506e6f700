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
  for (const subpath of ["faktory-ts", "faktory-ts/server", "faktory-ts/testing", "faktory-ts/otel"]) {
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

  it("loads the optional SQLite driver only when durable storage is opened", () => {
    const out = node([
      "--input-type=module",
      "-e",
      `import { createRequire } from "node:module";
       const require = createRequire(process.cwd() + "/");
       const loaded = () => Object.keys(require.cache).some((k) => k.includes("better-sqlite3"));
       await import("faktory-ts"); await import("faktory-ts/testing");
       const server = await import("faktory-ts/server");
       const before = loaded();
       const s = await server.startServer({ port: 0, webPort: false });
       const memory = loaded();
       await s.close();
       const { mkdtempSync, rmSync } = await import("node:fs");
       const dir = mkdtempSync((await import("node:os")).tmpdir() + "/faktory-ts-exports-");
       (await server.openStorage({ path: dir })).close();
       rmSync(dir, { recursive: true, force: true });
       console.log(JSON.stringify([before, memory, loaded()]));`,
    ]);
    expect(JSON.parse(out)).toEqual([false, false, true]);
  });

  it("loads @opentelemetry/api only with faktory-ts/otel", () => {
    // CommonJS: the module cache tells what was loaded.
    const cjs = node([
      "-e",
      `const loaded = () => Object.keys(require.cache).some((k) => k.includes("@opentelemetry"));
       require("faktory-ts"); require("faktory-ts/server"); require("faktory-ts/testing");
       const before = loaded();
       require("faktory-ts/otel");
       console.log(JSON.stringify([before, loaded()]));`,
    ]);
    expect(JSON.parse(cjs)).toEqual([false, true]);
    // ES modules: a resolve hook counts @opentelemetry specifiers; importing "probe:<tag>" reads
    // the count (the hook thread answers in order, after the imports before it).
    const esm = node([
      "--input-type=module",
      "-e",
      `import { register } from "node:module";
       const hooks = "let n = 0; export async function resolve(s, c, next) {" +
         " if (s.startsWith('probe:')) return { url: 'data:text/javascript,export default ' + n + ';//' + s, shortCircuit: true };" +
         " if (s.includes('@opentelemetry')) n++; return next(s, c); }";
       register("data:text/javascript," + encodeURIComponent(hooks));
       const count = async (tag) => (await import("probe:" + tag)).default;
       await import("faktory-ts"); await import("faktory-ts/server"); await import("faktory-ts/testing");
       const before = await count("before");
       await import("faktory-ts/otel");
       console.log(JSON.stringify([before, await count("after") > 0]));`,
    ]);
    expect(JSON.parse(esm)).toEqual([0, true]);
  });

  it("exports the error tree from the root in both formats", () => {
    const out = node([
      "-e",
      'const f = require("faktory-ts"); const e = new f.ServerError("ERR", "x"); console.log(e instanceof f.FaktoryError, e.code)',
    ]);
    expect(out.trim()).toBe("true SERVER");
  });
});
