/** PUSHB's reply map keys refused jobs by jid, whatever the jid (found by the input fuzz test). */
import { afterEach, beforeEach, expect, it } from "vitest";
import { type Harness, harness } from "./support/harness.js";
import { bulkJson } from "./support/raw-client.js";

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h.close();
});

it("reports a refused job whose jid is __proto__", async () => {
  const reply = bulkJson(await h.p.call('PUSHB [{"jid":"__proto__"}]')) as Record<string, string>;
  expect(Object.keys(reply)).toEqual(["__proto__"]);
  expect(Object.getOwnPropertyDescriptor(reply, "__proto__")?.value).toBe(
    "jobs must have a jobtype parameter",
  );
});
