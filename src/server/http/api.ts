/**
 * The dashboard's JSON API under `/api/…`: what the pages read and the actions they post.
 * POST bodies are JSON (`{"action":…,"keys":[…]}`) or urlencoded forms with the same fields.
 * @module
 */
import type { ServerCore } from "../core.js";
import type { SetName } from "../storage/storage.js";
import { actOnQueue, actOnSet, deleteQueuedJobs, findEntry, isQueueAction, isSetAction } from "./actions.js";
import { dashboardExtensions } from "./extensions.js";
import { queueMetrics } from "./metrics.js";
import { formOf, type Route, sendJson, type WebContext } from "./routes.js";
import {
  entryView,
  findJob,
  jobView,
  PAGE_SIZE,
  pageOf,
  reservationView,
  SET_PATHS,
  setPage,
  workersView,
} from "./views.js";

/** The fields of a POST body: JSON object or form. `keys`/`jids` are lists (`key`/`jid` repeat in forms). */
function fieldsOf(ctx: WebContext): { action: string; keys: string[]; wid: string; signal: string } {
  if ((ctx.req.headers["content-type"] ?? "").startsWith("application/json")) {
    let value: unknown;
    try {
      value = JSON.parse(ctx.body);
    } catch {
      value = {};
    }
    const o = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
    const str = (v: unknown) => (typeof v === "string" ? v : "");
    const list = (v: unknown) =>
      Array.isArray(v)
        ? v.filter((x): x is string => typeof x === "string")
        : typeof v === "string"
          ? [v]
          : [];
    return {
      action: str(o["action"]),
      keys: list(o["keys"] ?? o["jids"]),
      wid: str(o["wid"]),
      signal: str(o["signal"]),
    };
  }
  const form = formOf(ctx);
  return {
    action: form.get("action") ?? "",
    keys: [...form.getAll("key"), ...form.getAll("keys"), ...form.getAll("jid"), ...form.getAll("jids")],
    wid: form.get("wid") ?? "",
    signal: form.get("signal") ?? "",
  };
}

function setOf(ctx: WebContext): SetName | undefined {
  return SET_PATHS[ctx.params["set"] ?? ""];
}

function bad(ctx: WebContext, status: number, error: string): void {
  sendJson(ctx.res, status, { error });
}

function queuesView(core: ServerCore): Array<Record<string, unknown>> {
  return queueMetrics(core).map((q) => ({
    name: q.name,
    size: q.size,
    paused: q.paused,
    latency: q.latencySeconds,
  }));
}

const DAY_MS = 86_400_000;

/** The API's routes. */
export const API_ROUTES: readonly Route[] = [
  {
    method: "GET",
    path: "/api/csrf",
    handle: ({ res, csrfToken }) => sendJson(res, 200, { token: csrfToken }),
  },
  {
    method: "GET",
    path: "/api/stats",
    handle({ core, res }) {
      const ext = dashboardExtensions(core);
      sendJson(res, 200, {
        info: core.info(),
        paused: core.pausedQueues(),
        extensions: { batches: ext.batches !== undefined, progress: ext.progress !== undefined },
      });
    },
  },
  {
    method: "GET",
    path: "/api/history",
    handle({ core, res, url }) {
      const days = Math.min(180, Math.max(1, Math.floor(Number(url.searchParams.get("days") ?? 30)) || 30));
      const today = Math.floor(core.clock.now() / DAY_MS) * DAY_MS;
      const out: Array<{ date: string; processed: number; failures: number }> = [];
      for (let i = days - 1; i >= 0; i--) {
        const date = new Date(today - i * DAY_MS).toISOString().slice(0, 10);
        out.push({
          date,
          processed: core.storage.counter(`processed:${date}`),
          failures: core.storage.counter(`failures:${date}`),
        });
      }
      sendJson(res, 200, { days: out });
    },
  },
  {
    method: "GET",
    path: "/api/queues",
    handle: ({ core, res }) => sendJson(res, 200, { queues: queuesView(core) }),
  },
  {
    method: "GET",
    path: "/api/queues/:name",
    handle(ctx) {
      const { core, res, params, url } = ctx;
      const name = params["name"] as string;
      const page = pageOf(url);
      if (page === undefined) return bad(ctx, 400, "Invalid parameter");
      if (!core.storage.hasQueue(name)) return bad(ctx, 404, `No such queue: ${name}`);
      const jobs = core.storage
        .queueJobs(name, (page - 1) * PAGE_SIZE, PAGE_SIZE)
        .map((j) => jobView(j.payload));
      sendJson(res, 200, {
        name,
        size: core.storage.queueSize(name),
        paused: core.storage.isPaused(name),
        latency: core.latency([name])[name] ?? 0,
        page,
        per_page: PAGE_SIZE,
        jobs,
      });
    },
  },
  {
    method: "POST",
    path: "/api/queues/:name",
    handle(ctx) {
      const name = ctx.params["name"] as string;
      const { action, keys } = fieldsOf(ctx);
      if (action === "delete_jobs") {
        sendJson(ctx.res, 200, { deleted: deleteQueuedJobs(ctx.core, name, keys) });
        return;
      }
      if (!isQueueAction(action)) return bad(ctx, 400, `invalid action: ${action.slice(0, 100)}`);
      actOnQueue(ctx.core, name, action);
      sendJson(ctx.res, 200, { ok: true });
    },
  },
  {
    method: "GET",
    path: "/api/busy",
    handle({ core, res, url }) {
      const page = pageOf(url) ?? 1;
      const jobs = core.storage.reservationPage((page - 1) * PAGE_SIZE, PAGE_SIZE).map(reservationView);
      sendJson(res, 200, {
        workers: workersView(core),
        working: core.storage.reservationCount(),
        page,
        per_page: PAGE_SIZE,
        jobs,
      });
    },
  },
  {
    method: "POST",
    path: "/api/busy",
    handle(ctx) {
      const { wid, signal } = fieldsOf(ctx);
      if (signal !== "quiet" && signal !== "terminate")
        return bad(ctx, 400, `Invalid signal: ${signal.slice(0, 100)}`);
      sendJson(ctx.res, 200, { signalled: wid === "" ? 0 : ctx.core.workers.signal(wid, signal) });
    },
  },
  {
    method: "GET",
    path: "/api/sets/:set",
    handle(ctx) {
      const set = setOf(ctx);
      const page = pageOf(ctx.url);
      if (set === undefined) return bad(ctx, 404, "No such set");
      if (page === undefined) return bad(ctx, 400, "Invalid parameter");
      const jobtype = ctx.url.searchParams.get("jobtype") ?? "";
      const q = ctx.url.searchParams.get("q") ?? "";
      const { total, entries } = setPage(ctx.core, set, page, jobtype, q);
      sendJson(ctx.res, 200, { set, total, page, per_page: PAGE_SIZE, entries: entries.map(entryView) });
    },
  },
  {
    method: "GET",
    path: "/api/sets/:set/:key",
    handle(ctx) {
      const set = setOf(ctx);
      const entry = set === undefined ? undefined : findEntry(ctx.core, set, ctx.params["key"] as string);
      if (entry === undefined) return bad(ctx, 404, "No such entry");
      const progress = dashboardExtensions(ctx.core).progress?.(entry.jid);
      sendJson(ctx.res, 200, { set, ...entryView(entry), progress });
    },
  },
  {
    method: "POST",
    path: "/api/sets/:set",
    handle(ctx) {
      const set = setOf(ctx);
      if (set === undefined) return bad(ctx, 404, "No such set");
      const { action, keys } = fieldsOf(ctx);
      if (!isSetAction(action)) return bad(ctx, 400, `invalid action: ${action.slice(0, 100)}`);
      const all = keys.length === 1 && keys[0] === "all";
      sendJson(ctx.res, 200, { count: actOnSet(ctx.core, set, action, all ? "all" : keys) });
    },
  },
  {
    method: "GET",
    path: "/api/jobs/:jid",
    handle(ctx) {
      const jid = ctx.params["jid"] as string;
      const progress = dashboardExtensions(ctx.core).progress?.(jid);
      sendJson(ctx.res, 200, { jid, found: findJob(ctx.core, jid), progress });
    },
  },
  {
    method: "GET",
    path: "/api/batches",
    handle(ctx) {
      const batches = dashboardExtensions(ctx.core).batches;
      if (batches === undefined) return bad(ctx, 404, "Batches are not enabled");
      sendJson(ctx.res, 200, { batches: batches.list() });
    },
  },
  {
    method: "GET",
    path: "/api/batches/:bid",
    handle(ctx) {
      const batch = dashboardExtensions(ctx.core).batches?.get(ctx.params["bid"] as string);
      if (batch === undefined) return bad(ctx, 404, "No such batch");
      sendJson(ctx.res, 200, { batch });
    },
  },
];
