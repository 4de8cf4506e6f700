/**
 * The web port's route table: method + path pattern (`:name` segments) → handler, and the
 * small helpers every handler uses. The areas live in their own files: {@link ./api.js}
 * (JSON API), {@link ./pages.js} (HTML pages and Faktory's form routes), {@link ./assets.js}.
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ServerCore } from "../core.js";
import { FAKTORY_VERSION } from "../info.js";

/** What a route handler may use. */
export interface WebContext {
  /** The job engine. */
  readonly core: ServerCore;
  /** The request. */
  readonly req: IncomingMessage;
  /** The response. */
  readonly res: ServerResponse;
  /** The request body, read in full (empty for GET). */
  readonly body: string;
  /** The request URL (path and query). */
  readonly url: URL;
  /** Values of the pattern's `:name` segments, URL-decoded. */
  readonly params: Readonly<Record<string, string>>;
  /** The CSRF token of this browser (from its cookie), or a new one the response sets. */
  readonly csrfToken: string;
}

/** One route. */
export interface Route {
  /** HTTP method, upper case. */
  readonly method: "GET" | "POST";
  /** Path pattern: literal segments and `:name` segments, e.g. `/api/queues/:name`. */
  readonly path: string;
  /** Writes the response (may finish asynchronously). */
  readonly handle: (ctx: WebContext) => void | Promise<void>;
}

/** Matches `path` against a route pattern; the decoded params, or `undefined`. */
export function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split("/");
  const got = path.split("/");
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] as string;
    const g = got[i] as string;
    if (w.startsWith(":")) {
      if (g === "") return undefined;
      try {
        params[w.slice(1)] = decodeURIComponent(g);
      } catch {
        return undefined;
      }
    } else if (w !== g) return undefined;
  }
  return params;
}

/** Sends a JSON body, never cached. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-cache",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

/** Sends a plain-text body (errors, as Faktory: the message and a newline). */
export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    "content-type": "text/plain; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

/** Sends a redirect to a path (`302` after a POST, as Faktory). */
export function redirect(res: ServerResponse, location: string, status = 302): void {
  res.writeHead(status, { location, "content-length": 0 });
  res.end();
}

/** The form fields of a urlencoded body merged with the query string (as Go's `FormValue`). */
export function formOf(ctx: WebContext): URLSearchParams {
  const form = new URLSearchParams(ctx.url.search);
  for (const [k, v] of new URLSearchParams(ctx.body)) form.append(k, v);
  return form;
}

/** `GET /health`: server time and a few figures, as Faktory's `/health` (no password). */
export const health: Route = {
  method: "GET",
  path: "/health",
  handle({ core, res }) {
    const info = core.info();
    sendJson(res, 200, {
      now: info.now,
      server: {
        description: info.server.description,
        faktory_version: FAKTORY_VERSION,
        connections: info.server.connections,
        command_count: info.server.command_count,
      },
    });
  },
};

/** `GET /stats`: the INFO document, as Faktory's dashboard poller reads it. */
export const stats: Route = {
  method: "GET",
  path: "/stats",
  handle({ core, res }) {
    sendJson(res, 200, core.info());
  },
};
