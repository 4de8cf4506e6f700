/**
 * The server's open client connections, and the graceful close Faktory does when it stops:
 * from the moment the stop begins, a command that arrives is answered
 * `-ERR shutdown in progress` and its connection closed; a blocked FETCH answers `$-1` at once;
 * connections still open when the grace period ends are cut.
 * @module
 */

/** What the tracker needs from a connection. */
export interface ClosableConnection {
  /** Starts the shutdown of this connection (see {@link OpenConnections.shutdown}). */
  beginShutdown(): void;
  /** Closes at once. */
  close(): void;
}

/** Default grace period of a server stop, in ms (the reference waits 100 ms before closing its store). */
export const DEFAULT_SHUTDOWN_GRACE_MS = 100;

/**
 * The set of open connections of a server.
 * @example
 * ```ts
 * const open = new OpenConnections<ClientConnection>();
 * open.add(conn); // and open.delete(conn) when it closes
 * await open.shutdown(100); // at server close
 * ```
 */
export class OpenConnections<C extends ClosableConnection> {
  private readonly open = new Set<C>();
  private emptied: (() => void) | undefined;

  /** Connections open now. */
  get size(): number {
    return this.open.size;
  }

  /** Tracks a new connection. */
  add(conn: C): void {
    this.open.add(conn);
  }

  /** Forgets a closed connection. */
  delete(conn: C): void {
    this.open.delete(conn);
    if (this.open.size === 0) this.emptied?.();
  }

  /**
   * Begins the shutdown of every connection, waits until they have all closed or `graceMs`
   * has passed, then cuts the rest. Resolves when none is left open.
   */
  async shutdown(graceMs: number): Promise<void> {
    for (const conn of [...this.open]) conn.beginShutdown();
    if (this.open.size > 0 && graceMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.emptied = resolve;
        // Not unref()'d on purpose: it is short, and close() must finish (e.g. to close the storage).
        timer = setTimeout(resolve, graceMs);
      });
      clearTimeout(timer);
      this.emptied = undefined;
    }
    for (const conn of [...this.open]) conn.close();
    this.open.clear();
  }
}
