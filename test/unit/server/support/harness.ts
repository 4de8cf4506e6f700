/** A server on a {@link ManualClock} with a producer and a worker connection. */
import { type FaktoryServer, type ServerOptions, startServer } from "../../../../src/server/index.js";
import { ManualClock } from "./clocks.js";
import { bulkJson, hello, type RawClient } from "./raw-client.js";

export interface Harness {
  clock: ManualClock;
  server: FaktoryServer;
  /** Producer connection (no wid). */
  p: RawClient;
  /** Worker connection, wid `w1`. */
  w: RawClient;
  /** The INFO document's `faktory` part. */
  faktory(): Promise<{
    queues: Record<string, number>;
    sets: Record<string, number>;
    total_failures: number;
    total_processed: number;
  }>;
  close(): Promise<void>;
}

export const WORKER_HELLO = { hostname: "h", wid: "w1", pid: 1, labels: ["test"], v: 2 };

export async function harness(options: ServerOptions = {}): Promise<Harness> {
  const clock = new ManualClock();
  const server = await startServer({ port: 0, webPort: false, clock, ...options });
  const p = await hello(server.port);
  const w = await hello(server.port, WORKER_HELLO);
  return {
    clock,
    server,
    p,
    w,
    async faktory() {
      return (bulkJson(await p.call("INFO")) as { faktory: Awaited<ReturnType<Harness["faktory"]>> }).faktory;
    },
    async close() {
      p.close();
      w.close();
      await server.close();
    },
  };
}

/** A PUSH line for a small job. */
export function pushLine(jid: string, extra: Record<string, unknown> = {}): string {
  return `PUSH ${JSON.stringify({ jid, jobtype: "T", args: [1], ...extra })}`;
}
