/** A bare consumer connection for client integration tests: FETCH, ACK and FAIL. */
import { Connection, FETCH_BLOCK_MS } from "../../../src/connection/index.js";
import { ackCommand, failCommand, fetchCommand, parseJsonReply } from "../../../src/protocol/commands.js";
import type { Job } from "../../../src/protocol/job.js";

/** A raw connection that fetches jobs, to check what the client pushed. */
export class Consumer {
  private constructor(private readonly conn: Connection) {}

  static async open(url: string): Promise<Consumer> {
    return new Consumer(await Connection.open({ url }));
  }

  /** FETCH from the queues (blocks up to ~2 s on empty queues); `null` when nothing came. */
  async fetch(...queues: string[]): Promise<Job | null> {
    const reply = await this.conn.send(fetchCommand(queues), FETCH_BLOCK_MS);
    return parseJsonReply<Job>(reply, "FETCH");
  }

  async ack(jid: string): Promise<void> {
    await this.conn.send(ackCommand(jid));
  }

  async fail(jid: string): Promise<void> {
    await this.conn.send(
      failCommand({ jid, errtype: "TestError", message: "failed on purpose", backtrace: [] }),
    );
  }

  close(): Promise<void> {
    return this.conn.end();
  }
}
