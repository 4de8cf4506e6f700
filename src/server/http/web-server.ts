/**
 * The HTTP (or HTTPS, with TLS) server on the web port: HTTP Basic auth when a password is
 * set (any user name, realm "Faktory"), then dispatch through the route table.
 * @module
 */
import { timingSafeEqual } from "node:crypto";
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { ServerCore } from "../core.js";
import { gateResponse } from "./commit-gate.js";
import { ROUTES, sendText } from "./routes.js";

/** Largest request body read (form posts are tiny). */
const MAX_BODY_BYTES = 64 * 1024;

/** Web server settings. */
export interface WebSettings {
  /** Password for Basic auth, if any. */
  readonly password: string | undefined;
  /** TLS key and certificate, to serve HTTPS. */
  readonly tls: { key: string | Buffer; cert: string | Buffer } | undefined;
}

function authorized(req: IncomingMessage, password: string): boolean {
  const header = req.headers.authorization ?? "";
  if (!header.startsWith("Basic ")) return false;
  const decoded = Buffer.from(header.slice(6), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  const given = Buffer.from(colon === -1 ? "" : decoded.slice(colon + 1));
  const expected = Buffer.from(password);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Creates the web server (not listening yet). */
export function createWebServer(core: ServerCore, settings: WebSettings): Server {
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    if (settings.password !== undefined && !authorized(req, settings.password)) {
      res.writeHead(401, { "www-authenticate": 'Basic realm="Faktory"', "content-length": 0 });
      res.end();
      return;
    }
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const route = ROUTES.find((r) => r.path === path && r.method === req.method);
    if (route === undefined) {
      const known = ROUTES.some((r) => r.path === path);
      sendText(res, known ? 405 : 404, known ? "Method Not Allowed\n" : "Not Found\n");
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        sendText(res, 413, "Payload Too Large\n");
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (res.writableEnded) return;
      if (req.method !== "GET" && req.method !== "HEAD")
        gateResponse(res, core.storage, (err) =>
          core.logger.error(
            `web ${req.method} ${path}: storage failure, the change was not saved: ${err instanceof Error ? err.message : String(err)}`,
          ),
        );
      try {
        route.handle({ core, req, res, body: Buffer.concat(chunks).toString("utf8") });
      } catch (err) {
        core.logger.error(
          `web ${req.method} ${path} failed: ${err instanceof Error ? err.message : String(err)}`,
        );
        if (!res.headersSent) sendText(res, 500, "Internal Server Error\n");
        else res.end();
      }
    });
  };
  const server =
    settings.tls === undefined
      ? createHttpServer(handler)
      : createHttpsServer({ key: settings.tls.key, cert: settings.tls.cert, minVersion: "TLSv1.2" }, handler);
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  return server;
}
