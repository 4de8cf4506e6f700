/**
 * The dashboard in a real browser: every page renders without errors, CSP violations or
 * serious accessibility problems, and the main actions work by clicking.
 */
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { entryKey } from "../../src/server/http/actions.js";
import type { FaktoryServer, MemoryStorage } from "../../src/server/index.js";
import { bulkJson, hello, type RawClient } from "../unit/server/support/raw-client.js";
import { axeViolations, chromePath, launch, openPage, SHOTS, serve, visit } from "./support.js";

const DAY = 86_400_000;

function job(jid: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    jid,
    jobtype: "SendEmail",
    queue: "default",
    args: ["user@example.com", 42],
    retry: 25,
    ...extra,
  });
}

describe.skipIf(chromePath === "")("dashboard in Chromium", { timeout: 60_000 }, () => {
  let browser: Browser;
  let context: BrowserContext;
  let server: FaktoryServer;
  let storage: MemoryStorage;
  let base: string;
  let producer: RawClient;
  let worker: RawClient;

  beforeAll(async () => {
    browser = await launch();
    ({ server, storage } = await serve());
    base = server.webUrl!;
    context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    producer = await hello(server.port);
    worker = await hello(server.port, {
      wid: "worker-one",
      hostname: "box",
      pid: 4242,
      labels: ["mail"],
      v: 2,
    });
    const now = Date.now();
    for (let i = 0; i < 3; i++) await producer.call(`PUSH ${job(`mail-000${i}`)}`);
    await producer.call(`PUSH ${job("crit-0001", { queue: "critical", jobtype: "Charge" })}`);
    const failure = {
      retry_count: 2,
      remaining: 23,
      failed_at: new Date(now).toISOString(),
      errtype: "Net::Timeout",
      message: "timed out",
      backtrace: ["app.rb:1", "app.rb:2"],
    };
    for (let i = 0; i < 30; i++)
      storage
        .sortedSet("retries")
        .add(now + (i + 1) * 3_600_000, `retry-00${i}`, job(`retry-00${i}`, { failure }));
    storage
      .sortedSet("scheduled")
      .add(now + 3_600_000, "sched-001", job("sched-001", { at: new Date(now + 3_600_000).toISOString() }));
    storage
      .sortedSet("dead")
      .add(
        now + 180 * DAY,
        "dead-0001",
        job("dead-0001", { queue: "revived", failure: { ...failure, remaining: 0 } }),
      );
    storage.sortedSet("retries").add(
      now + 1_800_000,
      "xss-00001",
      job("xss-00001", {
        args: ["<script>window.__xss=1</script>", '"><img src=x onerror="window.__xss=2">'],
        failure: {
          ...failure,
          message: "<script>window.__xss=3</script>",
          backtrace: ['"><img src=x onerror="window.__xss=4">'],
        },
      }),
    );
    // One job in progress for the busy page.
    await producer.call(`PUSH ${job("work-0001", { queue: "busyq" })}`);
    expect(bulkJson(await worker.call("FETCH busyq"))).toMatchObject({ jid: "work-0001" });
  });

  afterAll(async () => {
    producer?.close();
    worker?.close();
    await context?.close();
    await browser?.close();
    await server?.close();
  });

  const PAGES: Array<[string, string]> = [
    ["dashboard", "/"],
    ["busy", "/busy"],
    ["queues", "/queues"],
    ["queue", "/queues/default"],
    ["retries", "/retries"],
    ["retries-page2", "/retries?page=2"],
    ["retry", "/retries/{first}"],
    ["scheduled", "/scheduled"],
    ["morgue", "/morgue"],
    ["job", "/jobs/mail-0001"],
  ];

  it.each(PAGES)(
    "renders %s (%s) with no console errors, CSP violations or serious axe violations; screenshot",
    async (name, template) => {
      const first = encodeURIComponent(entryKey(storage.sortedSet("retries").earliest()!));
      const path = template.replace("{first}", first);
      const { page, errors } = await openPage(context);
      const headers = await visit(page, base, path);
      expect(headers["content-security-policy"], path).toContain("script-src 'self'");
      if (name === "dashboard") await page.waitForSelector("#throughput canvas");
      await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
      expect(await axeViolations(page), path).toEqual([]);
      expect(errors, path).toEqual([]);
      await page.close();
    },
  );

  it("shows pushed jobs on the queues page, and pauses and resumes a queue", async () => {
    const { page } = await openPage(context);
    await visit(page, base, "/queues");
    const row = page.locator('tr[data-queue="default"]');
    await expect(row.locator("td").nth(1).textContent()).resolves.toBe("3");
    await expect(page.locator('tr[data-queue="critical"] td').nth(1).textContent()).resolves.toBe("1");
    await row.locator('button[data-action="pause"]').click();
    await page.locator('tr[data-queue="default"] .badge', { hasText: "paused" }).waitFor();
    expect(storage.isPaused("default")).toBe(true);
    await page.locator('tr[data-queue="default"] button[data-action="resume"]').click();
    await page.locator('tr[data-queue="default"] button[data-action="pause"]').waitFor();
    expect(storage.isPaused("default")).toBe(false);
    await visit(page, base, "/queues/default");
    expect(await page.locator("tbody tr").count()).toBe(3);
    await page.close();
  });

  it("retries a dead job from its page, and a worker runs it", async () => {
    const { page } = await openPage(context);
    await visit(page, base, "/morgue");
    await page.locator("tbody a").first().click();
    await page.waitForSelector("body[data-ready=true]");
    expect(await page.locator("h1").textContent()).toContain("SendEmail");
    await page.locator('button[data-action="retry"]').click();
    await page.waitForURL(`${base}/morgue`);
    expect(storage.sortedSet("dead").size()).toBe(0);
    // A connection of its own: a slow run may have let the reaper drop the first worker.
    const runner = await hello(server.port);
    const fetched = bulkJson(await runner.call("FETCH revived")) as { jid: string };
    expect(fetched.jid).toBe("dead-0001");
    expect(await runner.call(`ACK {"jid":"dead-0001"}`)).toBe("+OK");
    runner.close();
    await page.close();
  });

  it("quiets a worker from the busy page", async () => {
    // A worker of its own, just connected: a slow run cannot have let the 60 s reaper drop it.
    const quiet = await hello(server.port, {
      wid: "worker-two",
      hostname: "box",
      pid: 4343,
      labels: [],
      v: 2,
    });
    try {
      const { page } = await openPage(context);
      await visit(page, base, "/busy");
      expect(await page.locator("main").textContent()).toContain("work-0001"); // the job in progress
      await page.locator('tr[data-wid="worker-two"] button[data-action="quiet"]').click();
      await page.locator('tr[data-wid="worker-two"] .badge', { hasText: "quiet" }).waitFor();
      expect(await quiet.call('BEAT {"wid":"worker-two"}')).toBe('$17\r\n{"state":"quiet"}');
      await page.close();
    } finally {
      quiet.close();
    }
  });

  it("shows hostile args, messages and backtraces as text", async () => {
    const { page, errors } = await openPage(context);
    await visit(page, base, "/retries?q=xss");
    expect(await page.locator("main img").count()).toBe(0);
    expect(await page.locator("main td.args").first().textContent()).toContain(
      "<script>window.__xss=1</script>",
    );
    await page.locator("tbody a").first().click();
    await page.waitForSelector("body[data-ready=true]");
    expect(await page.locator("pre.error-message").textContent()).toBe("<script>window.__xss=3</script>");
    expect(await page.locator("pre.backtrace").textContent()).toBe('"><img src=x onerror="window.__xss=4">');
    expect(await page.locator("main img").count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { __xss?: number }).__xss)).toBeUndefined();
    expect(errors).toEqual([]);
    await page.close();
  });

  it("refuses a POST without the CSRF token", async () => {
    const { page } = await openPage(context);
    await visit(page, base, "/queues");
    const status = await page.evaluate(async () => {
      const res = await fetch("/api/queues/default", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ action: "pause" }),
      });
      return res.status;
    });
    expect(status).toBe(403);
    expect(storage.isPaused("default")).toBe(false);
    await page.close();
  });

  it("asks for the password when one is set", async () => {
    const { server: locked } = await serve("s3cret");
    try {
      const anonymous = await browser.newContext();
      const res = await anonymous.request.get(`${locked.webUrl}/queues`);
      expect(res.status()).toBe(401);
      expect(res.headers()["www-authenticate"]).toBe('Basic realm="Faktory"');
      await anonymous.close();
      const wrong = await browser.newContext({ httpCredentials: { username: "admin", password: "nope" } });
      expect((await wrong.request.get(`${locked.webUrl}/api/stats`)).status()).toBe(401);
      await wrong.close();
      const authed = await browser.newContext({ httpCredentials: { username: "admin", password: "s3cret" } });
      const { page, errors } = await openPage(authed);
      await visit(page, locked.webUrl!, "/");
      expect(await page.locator("h1").textContent()).toBe("Dashboard");
      expect(errors).toEqual([]);
      await authed.close();
    } finally {
      await locked.close();
    }
  });
});
