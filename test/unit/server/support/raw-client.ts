/**
 * A raw protocol client for tests: writes lines, reads whole RESP replies as the transcripts
 * show them (`+OK`, `-ERR ...`, `$-1`, `$N\r\n<bytes>`), or `"<closed>"`.
 */
import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";

/** The reply text meaning the server closed the connection. */
export const CLOSED = "<closed>";

/** A test connection to a server. */
export class RawClient {
  private buffer: Buffer = Buffer.alloc(0);
  private closed = false;
  private notify: (() => void) | undefined;

  private constructor(readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      this.wake();
    });
    socket.on("close", () => {
      this.closed = true;
      this.wake();
    });
    socket.on("error", () => {});
  }

  /** Connects (TLS when `tls` is given; certificates are not verified). */
  static connect(port: number, host = "127.0.0.1", tls?: { ca?: string }): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket =
        tls === undefined
          ? netConnect(port, host)
          : tlsConnect({ port, host, rejectUnauthorized: false, ...(tls.ca ? { ca: tls.ca } : {}) });
      const ready = tls === undefined ? "connect" : "secureConnect";
      socket.once(ready, () => {
        socket.off("error", reject);
        resolve(new RawClient(socket));
      });
      socket.once("error", reject);
    });
  }

  /** Whether the server has closed the connection. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends `line` + CRLF. */
  send(line: string): void {
    if (!this.socket.destroyed) this.socket.write(`${line}\r\n`);
  }

  /** Sends raw bytes. */
  write(data: string | Buffer): void {
    if (!this.socket.destroyed) this.socket.write(data);
  }

  private wake(): void {
    const n = this.notify;
    this.notify = undefined;
    n?.();
  }

  private take(): string | undefined {
    const buf = this.buffer;
    const crlf = buf.indexOf("\r\n");
    if (crlf === -1) return undefined;
    const head = buf.toString("utf8", 0, crlf);
    if (head.startsWith("$") && head !== "$-1") {
      const n = Number(head.slice(1));
      const end = crlf + 2 + n;
      if (buf.length < end + 2) return undefined;
      this.buffer = buf.subarray(end + 2);
      return `${head}\r\n${buf.toString("utf8", crlf + 2, end)}`;
    }
    this.buffer = buf.subarray(crlf + 2);
    return head;
  }

  /** The next whole reply, or {@link CLOSED}; rejects after `timeoutMs`. */
  async reply(timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = this.take();
      if (r !== undefined) return r;
      if (this.closed) return CLOSED;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `no reply within ${timeoutMs} ms (buffered: ${JSON.stringify(this.buffer.toString())})`,
        );
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.notify = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  /** Sends a line and returns its reply. */
  async call(line: string, timeoutMs?: number): Promise<string> {
    this.send(line);
    return this.reply(timeoutMs);
  }

  /** Resolves when the server has closed the connection (rejects after `timeoutMs`). */
  async closedByServer(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("connection still open");
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.notify = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  /** Closes from the client side. */
  close(): void {
    this.socket.destroy();
  }
}

/** Connects, checks the greeting and sends HELLO; returns the ready client. */
export async function hello(port: number, payload: Record<string, unknown> = { v: 2 }): Promise<RawClient> {
  const client = await RawClient.connect(port);
  const hi = await client.reply();
  if (!hi.startsWith("+HI ")) throw new Error(`unexpected greeting ${hi}`);
  const ok = await client.call(`HELLO ${JSON.stringify(payload)}`);
  if (ok !== "+OK") throw new Error(`HELLO refused: ${ok}`);
  return client;
}

/** Parses a `$N\r\n<json>` reply. */
export function bulkJson(reply: string): unknown {
  const i = reply.indexOf("\r\n");
  if (!reply.startsWith("$") || i === -1) throw new Error(`not a bulk reply: ${reply}`);
  return JSON.parse(reply.slice(i + 2));
}
