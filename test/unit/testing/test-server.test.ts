import { describe, expect, it } from "vitest";
import { Client } from "../../../src/client/index.js";
import { ConnectionError } from "../../../src/protocol/errors.js";
import { startTestServer } from "../../../src/testing/index.js";

describe("startTestServer", () => {
  it("serves on a free port with its own memory storage, and await using closes it", async () => {
    let url: string;
    {
      await using server = await startTestServer();
      await using other = await startTestServer();
      url = server.url;
      expect(server.url).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
      expect(server.port).not.toBe(other.port);
      expect(server.webPort).toBeUndefined();
      await using client = await Client.connect(server.url);
      await client.push("Ping", [1], { queue: "q" });
      expect((await client.info()).faktory.queues).toEqual({ q: 1 });
      await using otherClient = await Client.connect(other.url);
      expect((await otherClient.info()).faktory.total_enqueued).toBe(0);
    }
    await expect(Client.connect({ url, retry: () => null })).rejects.toBeInstanceOf(ConnectionError);
  });

  it("passes server options through", async () => {
    await using server = await startTestServer({ password: "s3cret" });
    await using client = await Client.connect({ url: server.url, password: "s3cret" });
    expect((await client.info()).faktory.total_queues).toBe(0);
  });
});
