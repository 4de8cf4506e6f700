/**
 * The `faktory-ts server` command, run as a real process from the built bin
 * (`npm test` builds first through `pretest`; this file builds if dist/cli.js is missing).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hello } from "../../unit/server/support/raw-client.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const BIN = `${ROOT}bin/faktory-ts.js`;

/** Default data folder of these servers: never the user's real one. */
const DATA_HOME = mkdtempSync(join(tmpdir(), "faktory-ts-cli-"));
afterAll(() => rmSync(DATA_HOME, { recursive: true, force: true }));

beforeAll(() => {
  if (!existsSync(`${ROOT}dist/cli.js`))
    execFileSync("npm", ["run", "build"], { cwd: ROOT, stdio: "ignore" });
}, 180_000);

function run(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): { child: ChildProcess; out: () => string; err: () => string } {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, XDG_DATA_HOME: DATA_HOME, ...env },
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  return { child, out: () => out, err: () => err };
}

async function until<T>(probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 25));
  }
}

function exitCode(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once("exit", (code) => resolve(code));
  });
}

describe("faktory-ts server (CLI)", () => {
  it("prints where it listens, serves the protocol and HTTP, and stops cleanly on SIGTERM", async () => {
    const p = run(["server", "--port", "0", "--web-port", "0"], { FAKTORY_PASSWORD: "" });
    const m = await until(
      () =>
        /listening on tcp:\/\/127\.0\.0\.1:(\d+) \(web http:\/\/127\.0\.0\.1:(\d+)\)/.exec(p.out()) ??
        undefined,
    );
    const c = await hello(Number(m[1]));
    expect(await c.call('PUSH {"jid":"cli-00001","jobtype":"T","args":[]}')).toBe("+OK");
    c.close();
    const health = await fetch(`http://127.0.0.1:${m[2]}/health`);
    expect(health.status).toBe(200);
    p.child.kill("SIGTERM");
    expect(await exitCode(p.child)).toBe(0);
    expect(p.err()).toContain("stopping");
  }, 30_000);

  it("stops on SIGINT too, and takes the password from FAKTORY_PASSWORD", async () => {
    const p = run(["server", "--memory", "--port", "0", "--web-port", "off", "--log-level", "error"], {
      FAKTORY_PASSWORD: "pw",
    });
    const m = await until(() => /listening on tcp:\/\/127\.0\.0\.1:(\d+)\n/.exec(p.out()) ?? undefined);
    const { RawClient } = await import("../../unit/server/support/raw-client.js");
    const c = await RawClient.connect(Number(m[1]));
    expect(await c.reply()).toMatch(/"i":\d+,"s":/);
    c.close();
    p.child.kill("SIGINT");
    expect(await exitCode(p.child)).toBe(0);
  }, 30_000);

  it("keeps jobs in the data folder across restarts, and refuses a second server on it", async () => {
    const dir = join(DATA_HOME, "restart");
    const start = async () => {
      const p = run(["server", "--data-dir", dir, "--port", "0", "--web-port", "off"]);
      const m = await until(() => /listening on tcp:\/\/127\.0\.0\.1:(\d+)\n/.exec(p.out()) ?? undefined);
      return { p, port: Number(m[1]) };
    };
    const first = await start();
    expect(first.p.out()).toContain(`data in ${dir}`);
    const c = await hello(first.port);
    expect(await c.call('PUSH {"jid":"kept-00001","jobtype":"T","args":[],"queue":"keep"}')).toBe("+OK");
    c.close();
    const second = run(["server", "--data-dir", dir, "--port", "0", "--web-port", "off"]);
    expect(await exitCode(second.child)).toBe(1);
    expect(second.err()).toMatch(/in use by another faktory-ts server/);
    first.p.child.kill("SIGKILL");
    await exitCode(first.p.child);
    const again = await start();
    const d = await hello(again.port);
    expect(await d.call("FETCH keep")).toContain('"jid":"kept-00001"');
    d.close();
    again.p.child.kill("SIGTERM");
    expect(await exitCode(again.p.child)).toBe(0);
  }, 30_000);

  it("rejects bad arguments with exit code 2 and prints help", async () => {
    const bad = run(["server", "--port", "nope"]);
    expect(await exitCode(bad.child)).toBe(2);
    expect(bad.err()).toContain("--port must be a port number");
    const help = run(["--help"]);
    expect(await exitCode(help.child)).toBe(0);
    expect(help.out()).toContain("server");
    const serverHelp = run(["server", "--help"]);
    expect(await exitCode(serverHelp.child)).toBe(0);
    expect(serverHelp.out()).toContain("--web-port");
  }, 30_000);
});
