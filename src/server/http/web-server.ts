/**
 * The HTTP (or HTTPS, with TLS) server on the web port: security headers on every response,
 * HTTP Basic auth when a password is set (any user name, realm "Faktory") on everything but
 * `/health`, a CSRF check on every POST, then dispatch through the route table.
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
import { API_ROUTES } from "./api.js";
import { metrics } from "./metrics.js";
import { PAGE_ROUTES } from "./pages.js";
import { health, matchPath, type Route, sendText, stats } from "./routes.js";
import { csrfCookieOf, csrfProblem, csrfSetCookie, newCsrfToken, securityHeaders } from "./security.js";

/** Largest request body read (form posts are tiny; a bulk action lists at most a few pages of keys). */
const MAX_BODY_BYTES = 256 * 1024;

/** Every route of the web port. */
const ROUTES: readonly Route[] = [health, stats, metrics, ...API_ROUTES, ...PAGE_ROUTES];

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

function find(
  method: string | undefined,
  path: string,
): { route: Route; params: Record<string, string> } | "405" | undefined {
  let known = false;
  for (const route of ROUTES) {
    const params = matchPath(route.path, path);
    if (params === undefined) continue;
    if (route.method === method) return { route, params };
    known = true;
  }
  return known ? "405" : undefined;
}

/** Creates the web server (not listening yet). */
export function createWebServer(core: ServerCore, settings: WebSettings): Server {
  const tls = settings.tls !== undefined;
  const headers = securityHeaders(tls);
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://localhost");
    } catch {
      sendText(res, 400, "Bad Request\n");
      return;
    }
    const path = url.pathname;
    if (path !== "/health" && settings.password !== undefined && !authorized(req, settings.password)) {
      res.writeHead(401, { "www-authenticate": 'Basic realm="Faktory"', "content-length": 0 });
      res.end();
      return;
    }
    const found = find(req.method, path);
    if (found === undefined || found === "405") {
      const status = found === "405" ? 405 : 404;
      sendText(res, status, status === 405 ? "Method Not Allowed\n" : "Not Found\n");
      return;
    }
    let csrfToken = csrfCookieOf(req);
    if (csrfToken === undefined && path !== "/health") {
      csrfToken = newCsrfToken();
      res.setHeader("set-cookie", csrfSetCookie(csrfToken, tls));
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
      const body = Buffer.concat(chunks).toString("utf8");
      if (req.method === "POST") {
        const problem = csrfProblem(req, body);
        if (problem !== undefined) {
          sendText(res, 403, `${problem}\n`);
          return;
        }
      }
      const fail = (err: unknown) => {
        core.logger.error(
          `web ${req.method} ${path} failed: ${err instanceof Error ? err.message : String(err)}`,
        );
        if (!res.headersSent) sendText(res, 500, "Internal Server Error\n");
        else res.end();
      };
      try {
        const done = found.route.handle({
          core,
          req,
          res,
          body,
          url,
          params: found.params,
          csrfToken: csrfToken ?? "",
        });
        if (done instanceof Promise) done.catch(fail);
      } catch (err) {
        fail(err);
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
