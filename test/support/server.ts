/**
 * The server the integration tests run against: an embedded faktory-ts server on a free port,
 * or the external server named by FAKTORY_URL (e.g. a real Faktory 1.10) when it is set.
 */
import { randomBytes } from "node:crypto";
import { startServer } from "../../src/server/index.js";

/** True when the suite runs against an external server (FAKTORY_URL set). */
export const EXTERNAL_URL: string | undefined = process.env["FAKTORY_URL"];

/** A server for one test file or test. */
export interface TestServer {
  /** URL to connect to. */
  url: string;
  /** The embedded server's handle, or undefined against an external server. */
  embedded: Awaited<ReturnType<typeof startServer>> | undefined;
  /** Stops the embedded server (no-op for an external one). */
  close(): Promise<void>;
}

/** Starts an embedded server on a free port, or returns the external one. */
export async function startTestServer(options: Parameters<typeof startServer>[0] = {}): Promise<TestServer> {
  if (EXTERNAL_URL !== undefined) return { url: EXTERNAL_URL, embedded: undefined, close: async () => {} };
  const server = await startServer({ port: 0, webPort: 0, ...options });
  return { url: server.url, embedded: server, close: () => server.close() };
}

/** A queue name no other test uses, so tests can share an external server. */
export function uniqueQueue(prefix = "q"): string {
  return `${prefix}-${randomBytes(5).toString("hex")}`;
}
