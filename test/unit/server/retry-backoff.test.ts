/**
 * The server's retry schedule, exactly: with the random part pinned, each failure of a job is
 * retried `count^4 + 15 + rand(30) * (count + 1)` seconds later (count = the updated
 * retry_count), not a millisecond earlier, until `retry` is used up.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { formatTimestamp } from "../../../src/protocol/index.js";
import { type Harness, harness, pushLine } from "./support/harness.js";
import { bulkJson } from "./support/raw-client.js";

interface RetriedJob {
  jid: string;
  failure?: { retry_count: number; remaining: number; next_at?: string };
}

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  vi.restoreAllMocks();
  await h.close();
});

/** Fails `jid` (already fetched) and returns when the server requeues it, in ms after the FAIL. */
async function failAndMeasure(jid: string, expectedMs: number): Promise<RetriedJob> {
  const failedAt = h.clock.now();
  expect(await h.p.call(`FAIL ${JSON.stringify({ jid, message: "boom" })}`)).toBe("+OK");
  h.clock.advance(expectedMs - 1);
  expect((await h.faktory()).queues.default ?? 0, `not retried before ${expectedMs} ms`).toBe(0);
  h.clock.advance(1);
  expect((await h.faktory()).queues.default, `retried at ${expectedMs} ms`).toBe(1);
  const job = bulkJson(await h.p.call("FETCH default")) as RetriedJob;
  expect(job.jid).toBe(jid);
  expect(job.failure?.next_at).toBe(formatTimestamp(failedAt + expectedMs));
  return job;
}

describe("retry backoff", () => {
  // Math.random() * 30, floored: 0 → rand 0, 0.99 → rand 29.
  for (const [random, rand] of [
    [0, 0],
    [0.99, 29],
  ] as const)
    it(`follows count^4 + 15 + rand*(count+1) seconds with rand = ${rand}`, async () => {
      vi.spyOn(Math, "random").mockReturnValue(random);
      const jid = `backoff-${rand}`;
      expect(await h.p.call(pushLine(jid, { retry: 5 }))).toBe("+OK");
      await h.p.call("FETCH default");
      for (let count = 0; count < 5; count++) {
        const seconds = count ** 4 + 15 + rand * (count + 1);
        const job = await failAndMeasure(jid, seconds * 1000);
        expect(job.failure).toMatchObject({ retry_count: count, remaining: 5 - count });
      }
      // the sixth failure uses up retry: 5 and sends the job to the dead set
      expect(await h.p.call(`FAIL {"jid":"${jid}"}`)).toBe("+OK");
      expect((await h.faktory()).sets).toMatchObject({ retries: 0, dead: 1 });
    });
});
