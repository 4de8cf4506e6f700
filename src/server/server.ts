/**
 * `startServer`: wires the job engine, the protocol listener (TCP or TLS) and the web port.
 * @module
 */
import { createServer as createNetServer, type Server as NetServer, type Socket } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import type { Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { systemClock } from "./clock.js";
import { ServerCore } from "./core.js";
import { enableEnterprise } from "./enterprise/index.js";
import { createWebServer } from "./http/web-server.js";
import { silentLogger } from "./logger.js";
import { ClientConnection, type ConnectionSettings } from "./network/connection.js";
import { DEFAULT_SHUTDOWN_GRACE_MS, OpenConnections } from "./network/open-connections.js";
import type { FaktoryServer, ServerOptions, WorkerSignal } from "./options.js";
import type { Logger } from "./logger.js";
import { MemoryStorage } from "./storage/memory.js";
import { openStorage } from "./storage/open-storage.js";
import { SqliteStorage } from "./storage/sqlite.js";
import type { Storage } from "./storage/storage.js";

/** Default longest command line: 32 MiB. */
export const DEFAULT_MAX_LINE_BYTES = 32 * 1024 * 1024;
/** Default connection limit (the reference's pool size). */
export const DEFAULT_MAX_CONNECTIONS = 2000;
/** Default handshake deadline. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 2000;

function checkPort(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 65535)
    throw new RangeError(`${name} must be an integer from 0 to 65535, got ${value}`);
}

function listen(server: NetServer | HttpServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: NetServer | HttpServer): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
  });
}

async function resolveStorage(
  option: ServerOptions["storage"],
  logger: Logger,
): Promise<{ storage: Storage; owned: boolean }> {
  if (option === undefined) return { storage: new MemoryStorage(), owned: true };
  if (!("enqueue" in option)) {
    const storage = await openStorage(option);
    logger.info(`durable storage: ${storage.file}`);
    return { storage, owned: true };
  }
  return { storage: option as Storage, owned: false };
}

function hostForUrl(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

/**
 * Starts an embedded Faktory-compatible server and resolves once it listens.
 *
 * @example
 * ```ts
 * import { startServer } from "faktory-ts/server";
 * await using server = await startServer({ port: 0, webPort: false });
 * console.log(server.url); // tcp://127.0.0.1:54321
 * ```
 */
export async function startServer(options: ServerOptions = {}): Promise<FaktoryServer> {
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? 7419;
  const webPortOption = options.webPort ?? 7420;
  checkPort("port", port);
  if (webPortOption !== false) checkPort("webPort", webPortOption);
  const password = options.password === undefined || options.password === "" ? undefined : options.password;
  const settings: ConnectionSettings = {
    password,
    maxLineBytes: options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
    maxConnections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
  };
  const logger = options.logger ?? silentLogger;
  const { storage, owned: ownStorage } = await resolveStorage(options.storage, logger);
  const core = new ServerCore({ storage, clock: options.clock ?? systemClock, logger });
  if (storage instanceof SqliteStorage)
    storage.onRollback = (err) => {
      logger.error(`storage commit failed, changes rolled back: ${err.message}`);
      core.rearm();
    };
  if (options.enterprise === true) enableEnterprise(core);

  const graceMs = options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
  if (!(Number.isFinite(graceMs) && graceMs >= 0))
    throw new RangeError(`shutdownGraceMs must be a finite number >= 0, got ${graceMs}`);
  const sockets = new OpenConnections<ClientConnection>();
  let closing = false;
  const onConnection = (socket: Socket): void => {
    if (closing) {
      socket.destroy();
      return;
    }
    const conn = new ClientConnection(socket, core, settings, (c) => sockets.delete(c));
    sockets.add(conn);
    conn.start();
  };
  const tcp: NetServer =
    options.tls === undefined
      ? createNetServer(onConnection)
      : createTlsServer(
          {
            key: options.tls.key,
            cert: options.tls.cert,
            minVersion: "TLSv1.2",
            // A peer that never completes the TLS handshake (e.g. plain TCP that waits for HI)
            // is dropped at the same deadline as one that never says HELLO (node's default: 120 s).
            handshakeTimeout: settings.handshakeTimeoutMs,
          },
          onConnection,
        );
  if (options.tls !== undefined) {
    tcp.on("tlsClientError", (err: Error, socket: Socket) => {
      logger.debug(`TLS handshake failed: ${err.message}`);
      socket.destroy(); // node leaves the socket open (e.g. after handshakeTimeout)
    });
  }
  const web = webPortOption === false ? undefined : createWebServer(core, { password, tls: options.tls });

  let boundPort: number;
  let boundWebPort: number | undefined;
  try {
    boundPort = await listen(tcp, port, host);
    if (web !== undefined) boundWebPort = await listen(web, webPortOption as number, host);
  } catch (err) {
    await closeServer(tcp);
    if (web !== undefined) await closeServer(web);
    if (ownStorage) storage.close();
    throw err;
  }
  core.start();

  const scheme = options.tls === undefined ? "tcp" : "tcp+tls";
  const url = `${scheme}://${hostForUrl(host)}:${boundPort}`;
  const webUrl =
    boundWebPort === undefined
      ? undefined
      : `${options.tls === undefined ? "http" : "https"}://${hostForUrl(host)}:${boundWebPort}`;
  logger.info(`faktory-ts server listening on ${url}${webUrl === undefined ? "" : ` (web ${webUrl})`}`);
  logger.info(
    options.enterprise === true
      ? "Enterprise features on"
      : "Open-source Faktory mode (no Enterprise features)",
  );

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      closing = true;
      const waits: Promise<void>[] = [closeServer(tcp)];
      if (web !== undefined) {
        waits.push(closeServer(web));
        web.closeAllConnections();
      }
      await sockets.shutdown(graceMs);
      core.stop();
      await Promise.all(waits);
      if (ownStorage) storage.close();
      logger.info("faktory-ts server stopped");
    })();
    return closed;
  };

  return {
    host,
    port: boundPort,
    webPort: boundWebPort,
    url,
    webUrl,
    close,
    signalWorker: (wid: string, signal: WorkerSignal): number => core.workers.signal(wid, signal),
    info: () => core.info(),
    pausedQueues: () => core.pausedQueues().sort(),
    [Symbol.asyncDispose]: close,
  };
}
