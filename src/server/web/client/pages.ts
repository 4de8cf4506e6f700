/**
 * The dashboard (counters, live throughput and latency charts, daily history), the queues
 * list, the busy page, and the batches pages.
 * @module
 */
import { get, post, type Stats } from "./api.js";
import { historyChart, LiveChart } from "./charts.js";
import { argsText, h, mount, num, when } from "./dom.js";
import { actionButton, currentPage, infoTable, jidCell, listTable, pager } from "./widgets.js";

/** A page's clean-up (timers, charts) when the page is left. */
export type Cleanup = () => void;

interface Queue {
  name: string;
  size: number;
  paused: boolean;
  latency: number;
}

/** The dashboard: live charts sampled every `interval` ms and the daily history. */
export async function dashboard(main: HTMLElement, interval = 2000): Promise<Cleanup> {
  const throughputEl = h("div", { class: "chart", id: "throughput" });
  const latencyEl = h("div", { class: "chart", id: "latency" });
  const historyEl = h("div", { class: "chart", id: "history" });
  const boxes = h("div", { class: "boxes" });
  mount(
    main,
    h("h1", {}, "Dashboard"),
    boxes,
    h("h2", {}, "Live"),
    throughputEl,
    latencyEl,
    h("h2", {}, "History"),
    historyEl,
  );
  const throughput = new LiveChart(
    throughputEl,
    "Jobs per second",
    ["Processed", "Failed"],
    ["#1f6feb", "#b3261e"],
  );
  const latency = new LiveChart(latencyEl, "Queues", ["Enqueued", "Oldest job (s)"], ["#6f42c1", "#b35900"]);
  const history = await get<{ days: Array<{ date: string; processed: number; failures: number }> }>(
    "history?days=30",
  );
  const historyPlot = historyChart(historyEl, history.days);
  let last: { t: number; p: number; f: number } | undefined;
  const tick = async () => {
    const [stats, queues] = await Promise.all([get<Stats>("stats"), get<{ queues: Queue[] }>("queues")]);
    const f = stats.info.faktory;
    const now = Date.now() / 1000;
    if (last !== undefined && now > last.t) {
      const dt = now - last.t;
      throughput.push(now, [(f.total_processed - last.p) / dt, (f.total_failures - last.f) / dt]);
    }
    last = { t: now, p: f.total_processed, f: f.total_failures };
    const maxLatency = queues.queues.reduce((m, q) => Math.max(m, q.latency), 0);
    latency.push(now, [f.total_enqueued, maxLatency]);
    mount(
      boxes,
      [
        ["Processed", f.total_processed],
        ["Failed", f.total_failures],
        ["Connections", stats.info.server.connections],
        ["Uptime (days)", Math.floor(stats.info.server.uptime / 86400)],
        ["Memory (MB)", stats.info.server.used_memory_mb],
      ].map(([label, value]) =>
        h(
          "div",
          { class: "box" },
          h("span", { class: "value" }, num(Number(value))),
          h("span", { class: "label" }, String(label)),
        ),
      ),
      h(
        "div",
        { class: "box" },
        h("span", { class: "value" }, stats.info.server.faktory_version),
        h("span", { class: "label" }, "Version"),
      ),
    );
  };
  await tick().catch(() => undefined);
  const timer = setInterval(() => void tick().catch(() => undefined), interval);
  return () => {
    clearInterval(timer);
    throughput.destroy();
    latency.destroy();
    historyPlot.destroy();
  };
}

/** The queues page. */
export async function queues(main: HTMLElement): Promise<void> {
  const data = await get<{ queues: Queue[] }>("queues");
  const reload = () => void queues(main);
  mount(
    main,
    h("h1", {}, "Queues"),
    data.queues.length === 0
      ? h("p", {}, "No queues.")
      : listTable(["Queue", "Size", "Latency (s)", "Actions"], data.queues, (q) => {
          const path = `queues/${encodeURIComponent(q.name)}`;
          return h(
            "tr",
            { "data-queue": q.name },
            h(
              "td",
              {},
              h("a", { href: `/${path}` }, q.name),
              q.paused ? h("span", { class: "badge" }, "paused") : null,
            ),
            h("td", { class: "num" }, num(q.size)),
            h("td", { class: "num" }, q.latency.toFixed(1)),
            h(
              "td",
              {},
              q.paused
                ? actionButton("Resume", () => post(path, { action: "resume" }), reload, { name: "resume" })
                : actionButton("Pause", () => post(path, { action: "pause" }), reload, { name: "pause" }),
              actionButton("Delete", () => post(path, { action: "delete" }), reload, {
                danger: true,
                confirm: `Delete queue ${q.name} and its ${num(q.size)} job(s)?`,
                name: "delete",
              }),
            ),
          );
        }),
  );
}

interface Busy {
  workers: Array<{
    wid: string;
    hostname: string;
    pid: number;
    labels: string[];
    state: string;
    started_at: string;
    last_heartbeat: string;
    rss_kb: number;
  }>;
  working: number;
  page: number;
  jobs: Array<{
    jid: string;
    wid: string;
    reserved_at: string;
    expires_at: string;
    job: { jobtype?: string; queue?: string; args?: unknown[] };
  }>;
}

/** The busy page: processes (quiet, stop) and jobs in progress; refreshes itself. */
export async function busy(main: HTMLElement, interval = 5000): Promise<Cleanup> {
  const render = async () => {
    const page = currentPage();
    const data = await get<Busy>(`busy?page=${page}`);
    const signal = (wid: string, s: string) => () => post("busy", { wid, signal: s });
    const reload = () => void render();
    mount(
      main,
      h("h1", {}, "Busy"),
      h("h2", {}, "Processes"),
      h(
        "div",
        { class: "actions" },
        actionButton("Quiet All", signal("all", "quiet"), reload, { name: "quiet-all" }),
        actionButton("Stop All", signal("all", "terminate"), reload, {
          danger: true,
          confirm: "Stop every worker process?",
          name: "stop-all",
        }),
      ),
      listTable(["Process", "State", "Labels", "Started", "Last beat", "RSS", "Actions"], data.workers, (w) =>
        h(
          "tr",
          { "data-wid": w.wid },
          h("td", {}, `${w.hostname}:${w.pid}`, h("br", {}), h("code", {}, w.wid)),
          h(
            "td",
            {},
            h("span", { class: `badge ${w.state}` }, w.state === "terminate" ? "stopping" : w.state),
          ),
          h("td", {}, w.labels.join(", ")),
          h("td", {}, when(w.started_at)),
          h("td", {}, when(w.last_heartbeat)),
          h("td", { class: "num" }, `${num(w.rss_kb / 1024)} MB`),
          h(
            "td",
            {},
            actionButton("Quiet", signal(w.wid, "quiet"), reload, { name: "quiet" }),
            actionButton("Stop", signal(w.wid, "terminate"), reload, { danger: true, name: "stop" }),
          ),
        ),
      ),
      h("h2", {}, `Jobs in progress (${num(data.working)})`),
      pager(data.working, page),
      listTable(["Process", "JID", "Queue", "Job", "Arguments", "Started", "Expires"], data.jobs, (j) =>
        h(
          "tr",
          {},
          h("td", {}, h("code", {}, j.wid)),
          jidCell(j.jid),
          h("td", {}, j.job.queue ?? ""),
          h("td", {}, j.job.jobtype ?? ""),
          h("td", { class: "args" }, h("code", {}, argsText(j.job.args))),
          h("td", {}, when(j.reserved_at)),
          h("td", {}, when(j.expires_at)),
        ),
      ),
    );
  };
  await render();
  const timer = setInterval(() => void render().catch(() => undefined), interval);
  return () => clearInterval(timer);
}

/** The batches list (Enterprise). */
export async function batches(main: HTMLElement): Promise<void> {
  const data = await get<{ batches: Array<Record<string, unknown>> }>("batches");
  mount(
    main,
    h("h1", {}, "Batches"),
    data.batches.length === 0 ? h("p", {}, "No batches.") : null,
    h(
      "ul",
      {},
      data.batches.map((b) => {
        const bid = String(b["bid"] ?? "");
        return h(
          "li",
          {},
          h("a", { href: `/batches/${encodeURIComponent(bid)}` }, h("code", {}, bid)),
          ` ${String(b["description"] ?? "")}`,
        );
      }),
    ),
  );
}

/** One batch (Enterprise). */
export async function batch(main: HTMLElement, bid: string): Promise<void> {
  const data = await get<{ batch: Record<string, unknown> }>(`batches/${encodeURIComponent(bid)}`);
  mount(
    main,
    h("h1", {}, "Batch ", h("code", {}, bid)),
    infoTable(
      "Batch",
      Object.entries(data.batch).map(([k, v]) => [
        k,
        typeof v === "string" ? v : h("pre", {}, JSON.stringify(v, null, 2)),
      ]),
    ),
    h("p", {}, h("a", { href: "/batches" }, "← Batches")),
  );
}
