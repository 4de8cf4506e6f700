/** ManualClock from faktory-ts/testing drives the embedded server's timers (the docs/testing.md example). */
import { expect, it } from "vitest";
import { Client } from "../../../src/index.js";
import { ManualClock, startTestServer } from "../../../src/testing/index.js";

it("moves a scheduled job to its queue only when the clock is advanced past its time", async () => {
  const clock = new ManualClock();
  await using server = await startTestServer({ clock });
  await using client = await Client.connect(server.url);
  // schedule relative to the fake clock: `at: { in: ms }` counts from the real time of the push
  await client.push("Report", [1], { queue: "reports", at: new Date(clock.now() + 60_000) });
  expect((await client.info()).faktory.sets.scheduled).toBe(1);

  clock.advance(59_000);
  expect((await client.info()).faktory.queues["reports"]).toBeUndefined();
  clock.advance(1_000);
  const info = await client.info();
  expect(info.faktory.sets.scheduled).toBe(0);
  expect(info.faktory.queues["reports"]).toBe(1);
});
