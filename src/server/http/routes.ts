/**
 * The web port's routes: a small table of method + path → handler, easy to extend (the full
 * dashboard is a later piece of work).
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ServerCore } from "../core.js";
import { FAKTORY_VERSION } from "../core.js";

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
}

/** One route. */
export interface Route {
  /** HTTP method, upper case. */
  readonly method: "GET" | "POST";
  /** Exact path. */
  readonly path: string;
  /** Writes the response. */
  readonly handle: (ctx: WebContext) => void;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    "content-type": "text/plain; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

/** `GET /health`: server time and a few figures, as Faktory's `/health`. */
const health: Route = {
  method: "GET",
  path: "/health",
  handle({ core, res }) {
    const info = core.info();
    sendJson(res, 200, {
      now: info.now,
      server: {
        description: "Faktory",
        faktory_version: FAKTORY_VERSION,
        connections: info.server.connections,
        command_count: info.server.command_count,
      },
    });
  },
};

/** `GET /busy`: the live workers as JSON (the dashboard page comes later). */
const busyList: Route = {
  method: "GET",
  path: "/busy",
  handle({ core, res }) {
    const workers = [...core.workers.all()].map((w) => ({
      wid: w.wid,
      hostname: w.hostname,
      pid: w.pid,
      labels: w.labels,
      state: w.state,
      connections: w.connections.size,
      started_at: new Date(w.startedAt).toISOString(),
      last_heartbeat: new Date(w.lastHeartbeat).toISOString(),
      rss_kb: w.rssKb,
    }));
    sendJson(res, 200, { workers });
  },
};

/** `POST /busy` with form fields `wid` (a wid or `all`) and `signal` (`quiet`|`terminate`). */
const busySignal: Route = {
  method: "POST",
  path: "/busy",
  handle({ core, res, body }) {
    const form = new URLSearchParams(body);
    const wid = form.get("wid") ?? "";
    const signal = form.get("signal") ?? "";
    if (wid !== "") {
      if (signal !== "quiet" && signal !== "terminate") {
        sendText(res, 500, `Invalid signal: ${signal.slice(0, 200)}\n`);
        return;
      }
      core.workers.signal(wid, signal);
    }
    res.writeHead(302, { location: "/busy", "content-length": 0 });
    res.end();
  },
};

/** The routes served on the web port. */
export const ROUTES: readonly Route[] = [health, busyList, busySignal];
