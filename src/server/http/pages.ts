/**
 * The dashboard's pages — one HTML shell that loads the bundled browser code, which renders the
 * page for its path from the JSON API — and Faktory's form routes (`POST /queues/{name}`,
 * `/retries`, `/scheduled`, `/morgue`, `/busy`, and one entry at `…/{key}`), answered with the
 * same 302 redirects so scripts written for Faktory's UI keep working.
 * @module
 */
import type { SetName } from "../storage/storage.js";
import { actOnQueue, actOnSet, deleteQueuedJobs, isQueueAction, isSetAction } from "./actions.js";
import { staticAsset } from "./assets.js";
import { formOf, type Route, redirect, sendJson, sendText, type WebContext } from "./routes.js";
import { workersView } from "./views.js";

/** The HTML shell of every page: no inline script or style (the CSP forbids them). */
function shell(csrfToken: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="${csrfToken}">
<title>Faktory</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/app.css">
<script defer src="/static/app.js"></script>
</head>
<body>
<noscript>The Faktory dashboard needs JavaScript.</noscript>
<div id="app"></div>
</body>
</html>
`;
}

function sendShell({ res, csrfToken }: WebContext): void {
  const html = shell(csrfToken);
  res.writeHead(200, {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-cache",
    "content-length": Buffer.byteLength(html),
  });
  res.end(html);
}

const PAGE_PATHS = [
  "/",
  "/queues",
  "/queues/:name",
  "/retries",
  "/retries/:key",
  "/scheduled",
  "/scheduled/:key",
  "/morgue",
  "/morgue/:key",
  "/jobs/:jid",
  "/batches",
  "/batches/:bid",
];

/** `GET /busy`: the page for browsers, the worker list as JSON for anything else (as before). */
const busyPage: Route = {
  method: "GET",
  path: "/busy",
  handle(ctx) {
    if ((ctx.req.headers.accept ?? "").includes("text/html")) sendShell(ctx);
    else sendJson(ctx.res, 200, { workers: workersView(ctx.core) });
  },
};

/** `POST /busy` with form fields `wid` (a wid or `all`) and `signal` (`quiet`|`terminate`). */
const busySignal: Route = {
  method: "POST",
  path: "/busy",
  handle(ctx) {
    const form = formOf(ctx);
    const wid = form.get("wid") ?? "";
    const signal = form.get("signal") ?? "";
    if (wid !== "") {
      if (signal !== "quiet" && signal !== "terminate") {
        sendText(ctx.res, 500, `Invalid signal: ${signal.slice(0, 200)}\n`);
        return;
      }
      ctx.core.workers.signal(wid, signal);
    }
    redirect(ctx.res, "/busy");
  },
};

/** The jid a `bkey` names: the jid itself, or the jid inside a base64url-encoded payload. */
function bkeyJid(bkey: string): string {
  if (!bkey.startsWith("ey")) return bkey; // base64 of '{"' begins "ey"; jids rarely do
  try {
    const job: unknown = JSON.parse(Buffer.from(bkey, "base64url").toString("utf8"));
    const jid = typeof job === "object" && job !== null ? (job as { jid?: unknown }).jid : undefined;
    return typeof jid === "string" ? jid : bkey;
  } catch {
    return bkey;
  }
}

/** `POST /queues/{name}`: `bkey` (jids) deletes those jobs, else `action` pause/resume/delete. */
const queueForm: Route = {
  method: "POST",
  path: "/queues/:name",
  handle(ctx) {
    const name = ctx.params["name"] as string;
    const form = formOf(ctx);
    const keys = form.getAll("bkey");
    if (keys.length > 0) {
      // Our pages send jids; Faktory's send the job's payload in base64url: take its jid.
      deleteQueuedJobs(ctx.core, name, keys.map(bkeyJid));
      redirect(ctx.res, `/queues/${encodeURIComponent(name)}`);
      return;
    }
    const action = form.get("action") ?? "";
    if (!isQueueAction(action)) {
      sendText(ctx.res, 500, `invalid action: ${action.slice(0, 200)}\n`);
      return;
    }
    actOnQueue(ctx.core, name, action);
    redirect(ctx.res, "/queues");
  },
};

function setForms(path: string, set: SetName): Route[] {
  const act = (ctx: WebContext, keys: string[]) => {
    const action = formOf(ctx).get("action") ?? "";
    if (!isSetAction(action)) {
      sendText(ctx.res, 500, `invalid action: ${action.slice(0, 200)}\n`);
      return;
    }
    actOnSet(ctx.core, set, action, keys.length === 1 && keys[0] === "all" ? "all" : keys);
    redirect(ctx.res, path);
  };
  return [
    { method: "POST", path, handle: (ctx) => act(ctx, formOf(ctx).getAll("key")) },
    { method: "POST", path: `${path}/:key`, handle: (ctx) => act(ctx, [ctx.params["key"] as string]) },
  ];
}

/** `GET /static/app.js` and `/static/app.css`. */
const assets: Route = {
  method: "GET",
  path: "/static/:file",
  handle({ res, params }) {
    const asset = staticAsset(params["file"] as string);
    if (asset === undefined) {
      sendText(res, 404, "Not Found (dashboard assets are built by npm run build)\n");
      return;
    }
    res.writeHead(200, {
      "content-type": asset.type,
      "cache-control": "no-cache",
      "content-length": asset.body.length,
    });
    res.end(asset.body);
  },
};

/** The page and form routes. */
export const PAGE_ROUTES: readonly Route[] = [
  ...PAGE_PATHS.map((path): Route => ({ method: "GET", path, handle: sendShell })),
  busyPage,
  busySignal,
  queueForm,
  ...setForms("/retries", "retries"),
  ...setForms("/scheduled", "scheduled"),
  ...setForms("/morgue", "dead"),
  assets,
];
