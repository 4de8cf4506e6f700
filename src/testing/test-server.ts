/**
 * `startTestServer`: an embedded server for one test, on a free port, with memory storage.
 * @module
 */
import type { FaktoryServer, ServerOptions } from "../server/options.js";
import { startServer } from "../server/server.js";

/** Options of {@link startTestServer}: those of `startServer`, with test-friendly defaults. */
export type TestServerOptions = ServerOptions;

/**
 * Starts an in-process Faktory-compatible server for a test: on a free port of 127.0.0.1, with
 * fresh in-memory storage, and no web port (unless `options` say otherwise).
 * The returned server has `url` for clients and workers, `close()` and `Symbol.asyncDispose`,
 * so `await using` stops it when the test's scope ends. Pass `clock` to run it on fake time.
 *
 * @example
 * ```ts
 * import { Client } from "faktory-ts";
 * import { startTestServer } from "faktory-ts/testing";
 *
 * await using server = await startTestServer();
 * await using client = await Client.connect(server.url);
 * await client.push("SendEmail", ["a@example.com"]);
 * ```
 */
export function startTestServer(options: TestServerOptions = {}): Promise<FaktoryServer> {
  return startServer({ port: 0, webPort: false, ...options });
}
