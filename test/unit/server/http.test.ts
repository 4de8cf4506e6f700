/** The web port: /health, POST /busy signals, Basic auth (the dashboard API: dashboard-api.test.ts). */
import { afterEach, describe, expect, it } from "vitest";
import { type FaktoryServer, type ServerOptions, startServer } from "../../../src/server/index.js";
import { hello, type RawClient } from "./support/raw-client.js";

let server: FaktoryServer | undefined;
const clients: RawClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server?.close();
  server = undefined;
});

async function start(options: ServerOptions = {}): Promise<FaktoryServer> {
  server = await startServer({ port: 0, webPort: 0, ...options });
  return server;
}

function post(
  base: string,
  path: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
) {
  return fetch(`${base}${path}`, {
    method: "POST",
    body: new URLSearchParams(form),
    redirect: "manual",
    headers,
  });
}

describe("web port", () => {
  it("serves /health as Faktory does", async () => {
    const s = await start();
    expect(s.webUrl).toBe(`http://127.0.0.1:${s.webPort}`);
    const c = await hello(s.port);
    clients.push(c);
    await c.call("INFO");
    const res = await fetch(`${s.webUrl}/health`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { now: string; server: Record<string, unknown> };
    expect(Object.keys(body)).toEqual(["now", "server"]);
    expect(body.now).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/);
    expect(body.server).toEqual({
      description: "Faktory",
      faktory_version: "1.10.0",
      connections: 1,
      command_count: 1,
    });
    expect((await fetch(`${s.webUrl}/nope`)).status).toBe(404);
  });

  it("names the server in /health as INFO does: Faktory Enterprise when Enterprise is on", async () => {
    const s = await start({ enterprise: true });
    const body = (await (await fetch(`${s.webUrl}/health`)).json()) as { server: { description: string } };
    expect(body.server.description).toBe("Faktory Enterprise");
  });

  it("signals workers through POST /busy and redirects to /busy", async () => {
    const s = await start();
    const w = await hello(s.port, { wid: "web-w1", v: 2 });
    const w2 = await hello(s.port, { wid: "web-w2", v: 2 });
    clients.push(w, w2);
    const res = await post(s.webUrl!, "/busy", { wid: "web-w1", signal: "quiet" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/busy");
    expect(await w.call('BEAT {"wid":"web-w1"}')).toBe('$17\r\n{"state":"quiet"}');
    expect(await w2.call('BEAT {"wid":"web-w2"}')).toBe("+OK");
    expect((await post(s.webUrl!, "/busy", { wid: "all", signal: "terminate" })).status).toBe(302);
    expect(await w2.call('BEAT {"wid":"web-w2"}')).toBe('$21\r\n{"state":"terminate"}');
    const bad = await post(s.webUrl!, "/busy", { wid: "web-w1", signal: "explode" });
    expect(bad.status).toBe(500);
    expect((await bad.text()).trim()).toBe("Invalid signal: explode");
    const list = (await (await fetch(`${s.webUrl}/busy`)).json()) as {
      workers: { wid: string; state: string }[];
    };
    expect(list.workers.map((x) => [x.wid, x.state])).toEqual([
      ["web-w1", "terminate"],
      ["web-w2", "terminate"],
    ]);
  });

  it("requires Basic auth with the password when one is set (any user name), except on /health", async () => {
    const s = await start({ password: "pw" });
    for (const path of ["/stats", "/", "/api/stats", "/static/app.js"]) {
      const res = await fetch(`${s.webUrl}${path}`);
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe('Basic realm="Faktory"');
    }
    const wrong = { authorization: `Basic ${Buffer.from("x:nope").toString("base64")}` };
    expect((await fetch(`${s.webUrl}/stats`, { headers: wrong })).status).toBe(401);
    const right = { authorization: `Basic ${Buffer.from("anyone:pw").toString("base64")}` };
    expect((await fetch(`${s.webUrl}/stats`, { headers: right })).status).toBe(200);
    expect((await fetch(`${s.webUrl}/health`)).status).toBe(200);
  });

  it("can be turned off", async () => {
    const s = await start({ webPort: false });
    expect(s.webPort).toBeUndefined();
    expect(s.webUrl).toBeUndefined();
  });
});
