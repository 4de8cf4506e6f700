/** The dashboard's JSON API, form routes, CSRF protection and headers, without a browser. */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ServerCore } from "../../../src/server/core.js";
import { entryKey, findEntry } from "../../../src/server/http/actions.js";
import { decodeJob } from "../../../src/server/jobs/job-codec.js";
import { registerDashboardExtensions } from "../../../src/server/http/extensions.js";
import { createWebServer } from "../../../src/server/http/web-server.js";
import { silentLogger } from "../../../src/server/logger.js";
import { startServer } from "../../../src/server/index.js";
import { MemoryStorage } from "../../../src/server/storage/memory.js";
import { ManualClock } from "./support/clocks.js";

let core: ServerCore;
let storage: MemoryStorage;
let clock: ManualClock;
let web: Server;
let base: string;

beforeEach(async () => {
  clock = new ManualClock(Date.UTC(2026, 10, 28, 12, 0, 0));
  storage = new MemoryStorage();
  core = new ServerCore({ storage, clock, logger: silentLogger, random: () => 0 });
  web = createWebServer(core, { password: undefined, tls: undefined });
  await new Promise<void>((resolve) => web.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
});

afterEach(async () => {
  core.stop();
  web.closeAllConnections();
  await new Promise((resolve) => web.close(resolve));
});

function job(jid: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ jid, jobtype: "Mail", queue: "default", args: [1], retry: 25, ...extra });
}

function push(queue: string, jid: string, extra: Record<string, unknown> = {}): void {
  expect(core.push(decodeJob(job(jid, { queue, ...extra })))).toBeUndefined();
}

async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(`${base}${path}`);
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

/** A browser-like session: the cookie and token of the page shell. */
async function session(): Promise<{ cookie: string; token: string }> {
  const res = await fetch(`${base}/api/csrf`);
  const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0] as string;
  const { token } = (await res.json()) as { token: string };
  return { cookie, token };
}

async function apiPost(path: string, body: Record<string, unknown>, s?: { cookie: string; token: string }) {
  const s2 = s ?? (await session());
  return fetch(`${base}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      origin: base,
      cookie: s2.cookie,
      "x-csrf-token": s2.token,
    },
    body: JSON.stringify(body),
  });
}

describe("dashboard API", () => {
  it("lists queues with size, latency and pause state, and pages a queue's jobs 25 at a time", async () => {
    for (let i = 0; i < 30; i++) push("default", `queued-${i}`);
    push("other", "other-01");
    clock.time += 5000;
    await apiPost("/api/queues/other", { action: "pause" });
    const { queues } = await getJson<{
      queues: Array<{ name: string; size: number; paused: boolean; latency: number }>;
    }>("/api/queues");
    expect(queues).toEqual([
      { name: "default", size: 30, paused: false, latency: 5 },
      { name: "other", size: 1, paused: true, latency: 5 },
    ]);
    const page2 = await getJson<{ jobs: Array<{ jid: string }>; size: number }>("/api/queues/default?page=2");
    expect(page2.size).toBe(30);
    expect(page2.jobs.map((j) => j.jid)).toEqual([
      "queued-25",
      "queued-26",
      "queued-27",
      "queued-28",
      "queued-29",
    ]);
    expect((await fetch(`${base}/api/queues/default?page=x`)).status).toBe(400);
    expect((await fetch(`${base}/api/queues/nope`)).status).toBe(404);
    expect(
      (await apiPost("/api/queues/default", { action: "delete_jobs", jids: ["queued-0", "queued-1", "zz"] }))
        .status,
    ).toBe(200);
    expect(storage.queueSize("default")).toBe(28);
    await apiPost("/api/queues/other", { action: "resume" });
    expect(storage.isPaused("other")).toBe(false);
    await apiPost("/api/queues/other", { action: "delete" });
    expect(storage.hasQueue("other")).toBe(false);
    expect((await apiPost("/api/queues/default", { action: "frob" })).status).toBe(400);
  });

  it("pages, filters, shows, retries, kills and deletes sorted-set entries by key", async () => {
    const retries = storage.sortedSet("retries");
    for (let i = 0; i < 60; i++)
      retries.add(clock.time + i * 1000, `r${i}`, job(`r${i}`, { jobtype: i % 2 === 0 ? "Even" : "Odd" }));
    const page = await getJson<{ total: number; entries: Array<{ key: string; jid: string }> }>(
      "/api/sets/retries?page=3",
    );
    expect(page.total).toBe(60);
    expect(page.entries.map((e) => e.jid)).toEqual(Array.from({ length: 10 }, (_, i) => `r${50 + i}`));
    const odd = await getJson<{ total: number; entries: Array<{ jid: string }> }>(
      "/api/sets/retries?jobtype=Odd&page=2",
    );
    expect(odd.total).toBe(30);
    expect(odd.entries[0]?.jid).toBe("r51");
    const byJid = await getJson<{ total: number }>("/api/sets/retries?q=r5");
    expect(byJid.total).toBe(11);

    const r3 = retries.page(3, 1)[0]!;
    const detail = await getJson<{ jid: string; job: { jobtype: string } }>(
      `/api/sets/retries/${encodeURIComponent(entryKey(r3))}`,
    );
    expect(detail).toMatchObject({ jid: "r3", job: { jobtype: "Odd" } });
    expect(
      (await fetch(`${base}/api/sets/retries/${encodeURIComponent(entryKey({ ...r3, jid: "other" }))}`))
        .status,
    ).toBe(404);

    const s = await session();
    const r0 = retries.page(0, 1)[0]!;
    expect(
      await (await apiPost("/api/sets/retries", { action: "retry", keys: [entryKey(r0)] }, s)).json(),
    ).toEqual({ count: 1 });
    const queued = storage.oldest("default")!;
    expect(queued.jid).toBe("r0");
    expect(JSON.parse(queued.payload).enqueued_at).toBe("2026-11-28T12:00:00Z");
    await apiPost("/api/sets/retries", { action: "kill", keys: [entryKey(r3)] }, s);
    expect(
      storage
        .sortedSet("dead")
        .entries()
        .map((e) => [e.jid, e.score]),
    ).toEqual([["r3", clock.time + 180 * 86_400_000]]);
    // Retry All moves every entry, not 50 per click.
    expect(await (await apiPost("/api/sets/retries", { action: "retry", keys: ["all"] }, s)).json()).toEqual({
      count: 58,
    });
    expect(retries.size()).toBe(0);
    expect(storage.queueSize("default")).toBe(59);
    await apiPost("/api/sets/dead", { action: "delete", keys: ["all"] }, s);
    expect(storage.sortedSet("dead").size()).toBe(0);
  });

  it("shows workers and in-progress jobs, signals workers, finds a job by jid, and reads the daily history", async () => {
    push("default", "busy-job");
    core.reserve(storage.dequeue("default")!, "w1");
    push("default", "waiting1");
    core.reserve({ jid: "done", payload: job("done"), reserveFor: 0 }, "w1");
    core.ack("done");
    const busy = await getJson<{ working: number; jobs: Array<{ jid: string; wid: string }> }>("/api/busy");
    expect(busy.working).toBe(1);
    expect(busy.jobs.map((j) => [j.jid, j.wid])).toEqual([["busy-job", "w1"]]);
    expect((await apiPost("/api/busy", { wid: "all", signal: "quiet" })).status).toBe(200);
    expect((await apiPost("/api/busy", { wid: "all", signal: "pause" })).status).toBe(400);
    const found = await getJson<{ found: Array<{ where: string }> }>("/api/jobs/waiting1");
    expect(found.found.map((f) => f.where)).toEqual(["queue"]);
    expect(
      (await getJson<{ found: Array<{ where: string }> }>("/api/jobs/busy-job")).found.map((f) => f.where),
    ).toEqual(["working"]);
    const history = await getJson<{ days: Array<{ date: string; processed: number }> }>(
      "/api/history?days=2",
    );
    expect(history.days).toEqual([
      { date: "2026-11-27", processed: 0, failures: 0 },
      { date: "2026-11-28", processed: 1, failures: 0 },
    ]);
  });

  it("shows batches and progress registered by the Enterprise features", async () => {
    expect((await fetch(`${base}/api/batches`)).status).toBe(404);
    registerDashboardExtensions(core, {
      batches: {
        list: () => [{ bid: "b1", description: "<b>x</b>" }],
        get: (bid) => (bid === "b1" ? { bid, total: 3 } : undefined),
      },
      progress: (jid) => (jid === "p1" ? { percent: 40, desc: "halfway" } : undefined),
    });
    expect((await getJson<{ extensions: unknown }>("/api/stats")).extensions).toEqual({
      batches: true,
      progress: true,
    });
    expect(await getJson("/api/batches")).toEqual({ batches: [{ bid: "b1", description: "<b>x</b>" }] });
    expect(await getJson("/api/batches/b1")).toEqual({ batch: { bid: "b1", total: 3 } });
    expect((await getJson<{ progress: unknown }>("/api/jobs/p1")).progress).toEqual({
      percent: 40,
      desc: "halfway",
    });
  });
});

describe("Faktory's form routes", () => {
  it("act on set entries and queues and redirect as Faktory does (scripts send no browser marks)", async () => {
    const e = storage.sortedSet("scheduled").add(clock.time + 60_000, "s1", job("s1"));
    storage.sortedSet("scheduled").add(clock.time + 60_000, "s2", job("s2"));
    const form = (path: string, fields: Array<[string, string]>) =>
      fetch(`${base}${path}`, { method: "POST", body: new URLSearchParams(fields), redirect: "manual" });
    let res = await form("/scheduled", [
      ["action", "add_to_queue"],
      ["key", entryKey(e)],
    ]);
    expect([res.status, res.headers.get("location")]).toEqual([302, "/scheduled"]);
    expect(storage.oldest("default")?.jid).toBe("s1");
    res = await form(
      `/scheduled/${encodeURIComponent(entryKey(storage.sortedSet("scheduled").earliest()!))}`,
      [["action", "kill"]],
    );
    expect(res.status).toBe(302);
    expect(storage.sortedSet("dead").size()).toBe(1);
    res = await form("/morgue", [
      ["action", "frob"],
      ["key", "all"],
    ]);
    expect([res.status, (await res.text()).trim()]).toEqual([500, "invalid action: frob"]);
    res = await form("/morgue", [
      ["action", "retry"],
      ["key", "all"],
    ]);
    expect(storage.queueSize("default")).toBe(2);
    res = await form("/queues/default", [["action", "pause"]]);
    expect([res.status, res.headers.get("location")]).toEqual([302, "/queues"]);
    expect(storage.isPaused("default")).toBe(true);
    res = await form("/queues/default", [["bkey", "s1"]]);
    expect([res.status, res.headers.get("location")]).toEqual([302, "/queues/default"]);
    expect(storage.queueSize("default")).toBe(1);
    // Faktory's own pages send the payload in base64url.
    res = await form("/queues/default", [
      ["bkey", Buffer.from(storage.oldest("default")!.payload).toString("base64url")],
    ]);
    expect(res.status).toBe(302);
    expect(storage.queueSize("default")).toBe(0);
  });
});

describe("web security", () => {
  it("refuses a browser's POST without the right CSRF token, and a cross-site one even with it", async () => {
    storage.enqueue("q", { jid: "a", payload: job("a"), reserveFor: 0 });
    const s = await session();
    const tries: Array<[Record<string, string>, number]> = [
      [{ origin: base }, 403],
      [{ origin: base, cookie: s.cookie }, 403],
      [{ origin: base, cookie: s.cookie, "x-csrf-token": "A".repeat(43) }, 403],
      [{ "sec-fetch-site": "cross-site", cookie: s.cookie, "x-csrf-token": s.token }, 403],
      [{ origin: base, "sec-fetch-site": "same-origin", cookie: s.cookie, "x-csrf-token": s.token }, 302],
    ];
    for (const [headers, status] of tries) {
      const res = await fetch(`${base}/queues/q`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
        body: "action=pause",
        redirect: "manual",
      });
      expect(res.status, JSON.stringify(headers)).toBe(status);
      if (status === 403) expect(storage.isPaused("q")).toBe(false);
    }
    expect(storage.isPaused("q")).toBe(true);
    // The token in the form field works as well as the header.
    const res = await fetch(`${base}/queues/q`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: base, cookie: s.cookie },
      body: `action=resume&csrf_token=${s.token}`,
      redirect: "manual",
    });
    expect(res.status).toBe(302);
    expect(storage.isPaused("q")).toBe(false);
  });

  it("sends a strict CSP and other security headers, and serves pages and assets", async () => {
    const res = await fetch(`${base}/retries`);
    expect(res.status).toBe(200);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("set-cookie")).toMatch(
      /^faktory_csrf=[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict$/,
    );
    const html = await res.text();
    expect(html).toContain('<script defer src="/static/app.js"></script>');
    expect(html).not.toMatch(/<script>|<style|\sstyle=|\son\w+=/);
    const js = await fetch(`${base}/static/app.js`);
    expect([js.status, js.headers.get("content-type")]).toEqual([200, "text/javascript; charset=utf-8"]);
    expect((await fetch(`${base}/static/nope.js`)).status).toBe(404);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/stats`)).status).toBe(200);
  });
});

describe("entry keys", () => {
  it("find entries whose scores have microseconds, through the RFC 3339 key", () => {
    const set = storage.sortedSet("retries");
    for (const score of [1_764_860_000_123.456, 1_764_860_000_000.001, 1_764_860_000_999.999])
      set.add(score, `jid-${score}`, job(`jid-${score}`));
    for (const entry of set.entries()) expect(findEntry(core, "retries", entryKey(entry))?.id).toBe(entry.id);
  });
});

describe("Enterprise mode", () => {
  it("shows batches and progress on the dashboard API", async () => {
    const server = await startServer({ port: 0, webPort: 0, enterprise: true });
    try {
      const stats = (await (await fetch(`${server.webUrl}/api/stats`)).json()) as { extensions: unknown };
      expect(stats.extensions).toEqual({ batches: true, progress: true });
      const res = await fetch(`${server.webUrl}/api/batches`);
      expect([res.status, await res.json()]).toEqual([200, { batches: [] }]);
    } finally {
      await server.close();
    }
  });
});
