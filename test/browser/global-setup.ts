/**
 * Finds Chromium for the browser tests (`CHROME_PATH`, else the usual paths). Where it is
 * missing and this process can install it (root, with apt-get), installs Debian's `chromium`;
 * elsewhere the browser tests are skipped with a notice that says how to enable them.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** Path of the Chromium binary, or "" when there is none. */
    chromePath: string;
  }
}

const PATHS = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/usr/bin/google-chrome-stable",
];

function find(): string | undefined {
  const env = process.env["CHROME_PATH"];
  if (env !== undefined && env !== "") return existsSync(env) ? env : undefined;
  return PATHS.find((p) => existsSync(p));
}

function install(): void {
  const run = (args: string[]) =>
    execFileSync("apt-get", args, {
      stdio: "ignore",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
      timeout: 480_000,
    });
  try {
    run(["install", "-y", "chromium"]);
  } catch {
    run(["update"]);
    run(["install", "-y", "chromium"]);
  }
}

export default function setup(project: TestProject): void {
  let path = find();
  const canInstall =
    process.getuid?.() === 0 && existsSync("/usr/bin/apt-get") && !process.env["CHROME_PATH"];
  if (path === undefined && canInstall) {
    console.log("browser tests: Chromium not found; installing it with apt-get install -y chromium ...");
    try {
      install();
    } catch (err) {
      console.log(
        `browser tests: installing Chromium failed: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    path = find();
  }
  if (path === undefined)
    console.log(
      "browser tests SKIPPED: no Chromium found. Install it (Debian/Ubuntu: apt-get install -y chromium) " +
        "or set CHROME_PATH to a Chromium/Chrome binary, then run npm test again.",
    );
  project.provide("chromePath", path ?? "");
}
