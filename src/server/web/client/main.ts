/**
 * The dashboard in the browser: the layout (navigation, jid search, live summary bar) and the
 * page for the current path, rendered from the JSON API. Bundled with its styles and uPlot by
 * `tsup --config tsup.web.config.ts` into `dist/web/app.js` and `app.css`.
 * @module
 */
import "uplot/dist/uPlot.min.css";
import "./style.css";
import { get, type Stats } from "./api.js";
import { h, mount, num } from "./dom.js";
import { batch, batches, busy, type Cleanup, dashboard, queues } from "./pages.js";
import { jobSearch, queuePage, SETS, setEntry, setList } from "./sets.js";
import { flash } from "./widgets.js";

const NAV: Array<[string, string]> = [
  ["/", "Dashboard"],
  ["/busy", "Busy"],
  ["/queues", "Queues"],
  ["/retries", "Retries"],
  ["/scheduled", "Scheduled"],
  ["/morgue", "Dead"],
];

function layout(batchesOn: boolean): { main: HTMLElement; summary: HTMLElement } {
  const path = location.pathname;
  const section = `/${path.split("/")[1] ?? ""}`;
  const links = batchesOn ? [...NAV, ["/batches", "Batches"] as [string, string]] : NAV;
  const search = h(
    "form",
    { class: "search", role: "search" },
    h("label", { for: "jid-search", class: "sr-only" }, "Find a job by JID"),
    h("input", { id: "jid-search", name: "jid", placeholder: "Find JID", required: true }),
    h("button", { type: "submit" }, "Find"),
  );
  search.addEventListener("submit", (event) => {
    event.preventDefault();
    const jid = new FormData(search).get("jid");
    if (typeof jid === "string" && jid.trim() !== "")
      location.assign(`/jobs/${encodeURIComponent(jid.trim())}`);
  });
  const summary = h("ul", { class: "summary", "aria-label": "Summary" });
  const main = h("main", { id: "main" });
  mount(
    document.getElementById("app") ?? document.body,
    h(
      "header",
      {},
      h("a", { href: "/", class: "brand" }, "Faktory"),
      h(
        "nav",
        { "aria-label": "Pages" },
        h(
          "ul",
          {},
          links.map(([href, label]) =>
            h("li", {}, h("a", { href, "aria-current": section === href ? "page" : undefined }, label)),
          ),
        ),
      ),
      search,
    ),
    summary,
    main,
    h("footer", {}, "faktory-ts embedded server"),
  );
  return { main, summary };
}

function showSummary(summary: HTMLElement, stats: Stats): void {
  const f = stats.info.faktory;
  const items: Array<[string, number, string]> = [
    ["Processed", f.total_processed, "/"],
    ["Failed", f.total_failures, "/"],
    ["Busy", f.sets["working"] ?? 0, "/busy"],
    ["Enqueued", f.total_enqueued, "/queues"],
    ["Retries", f.sets["retries"] ?? 0, "/retries"],
    ["Scheduled", f.sets["scheduled"] ?? 0, "/scheduled"],
    ["Dead", f.sets["dead"] ?? 0, "/morgue"],
  ];
  mount(
    summary,
    items.map(([label, value, href]) =>
      h(
        "li",
        {},
        h(
          "a",
          { href },
          h("span", { class: "value", "data-stat": label.toLowerCase() }, num(value)),
          h("span", { class: "label" }, label),
        ),
      ),
    ),
  );
}

async function route(main: HTMLElement): Promise<Cleanup | undefined> {
  const parts = location.pathname.split("/").slice(1).map(decodeURIComponent);
  const [first = "", second] = parts;
  if (first === "") return dashboard(main);
  if (first === "busy") return busy(main);
  if (first === "queues" && second === undefined) return void (await queues(main));
  if (first === "queues" && second !== undefined) return void (await queuePage(main, second));
  const spec = SETS[first];
  if (spec !== undefined && second === undefined) return void (await setList(main, spec));
  if (spec !== undefined && second !== undefined) return void (await setEntry(main, spec, second));
  if (first === "jobs" && second !== undefined) return void (await jobSearch(main, second));
  if (first === "batches" && second === undefined) return void (await batches(main));
  if (first === "batches" && second !== undefined) return void (await batch(main, second));
  mount(main, h("h1", {}, "Not Found"));
  return undefined;
}

async function start(): Promise<void> {
  const stats = await get<Stats>("stats");
  const { main, summary } = layout(stats.extensions.batches);
  showSummary(summary, stats);
  const timer = setInterval(() => {
    get<Stats>("stats")
      .then((s) => showSummary(summary, s))
      .catch(() => undefined);
  }, 5000);
  try {
    const cleanup = await route(main);
    window.addEventListener("pagehide", () => {
      clearInterval(timer);
      cleanup?.();
    });
  } catch (err) {
    flash(main, `Could not load this page: ${err instanceof Error ? err.message : String(err)}`);
  }
  document.body.dataset["ready"] = "true";
}

void start().catch((err: unknown) => {
  document.body.textContent = `The dashboard could not start: ${err instanceof Error ? err.message : String(err)}`;
});
