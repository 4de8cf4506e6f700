/**
 * The built `faktory-ts` bin run as a process: exit codes and output streams of the client
 * commands (`npm test` builds first; this file builds if dist/cli.js is missing).
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client } from "../../../src/client/index.js";
import { startTestServer, type TestServer, uniqueQueue } from "../../support/server.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const BIN = `${ROOT}bin/faktory-ts.js`;

let server: TestServer;

beforeAll(async () => {
  if (!existsSync(`${ROOT}dist/cli.js`))
    execFileSync("npm", ["run", "build"], { cwd: ROOT, stdio: "ignore" });
  server = await startTestServer();
}, 180_000);

afterAll(() => server.close());

function run(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
    delete env.FAKTORY_URL;
    delete env.FAKTORY_PROVIDER;
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    child.stdin.end();
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, out, err }));
  });
}

describe("faktory-ts bin (client commands)", () => {
  it("exits 0 and prints the jid of a pushed job", async () => {
    const queue = uniqueQueue("cli-bin");
    const r = await run(["push", "BinJob", "[1]", "--queue", queue, "--url", server.url]);
    expect(r).toMatchObject({ code: 0, err: "" });
    expect(r.out).toMatch(/^\S{8,}\n$/);
    const client = await Client.connect(server.url);
    expect((await client.info()).faktory.queues[queue]).toBe(1);
    await client.removeQueues([queue]);
    await client.close();
  });

  it("exits 2 on a usage error and 1 when the server is unreachable, with one line on stderr", async () => {
    const usage = await run(["push"]);
    expect(usage.code).toBe(2);
    expect(usage.err).toMatch(/^faktory-ts push: missing <jobtype>[^\n]*\n$/);
    const down = await run(["info", "--url", "tcp://127.0.0.1:1"]);
    expect(down.code).toBe(1);
    expect(down.err).toMatch(/^faktory-ts info: [^\n]+\n$/);
    const flush = await run(["flush", "--url", server.url]); // stdin is a pipe, not a terminal
    expect(flush.code).toBe(2);
    expect(flush.err).toMatch(/--yes/);
  });
});
