/**
 * The retries, scheduled and dead pages (paged, filtered by job type or jid, bulk actions),
 * one entry's page, and the jid search page.
 * @module
 */
import { type Entry, get, type Job, post, type SetPage } from "./api.js";
import { h, mount, num, when } from "./dom.js";
import { actionButton, argsCell, currentPage, flash, jidCell, jobInfo, listTable, pager } from "./widgets.js";

/** How each set page is named and what it offers. */
interface SetSpec {
  path: string;
  title: string;
  when: string;
  retry: string;
  kill: boolean;
  empty: string;
}

/** The three set pages, by URL path segment. */
export const SETS: Readonly<Record<string, SetSpec>> = {
  retries: {
    path: "retries",
    title: "Retries",
    when: "Next Retry",
    retry: "Retry Now",
    kill: true,
    empty: "No retries were found",
  },
  scheduled: {
    path: "scheduled",
    title: "Scheduled Jobs",
    when: "When",
    retry: "Add to queue",
    kill: true,
    empty: "No scheduled jobs were found",
  },
  morgue: {
    path: "morgue",
    title: "Dead Jobs",
    when: "Expires",
    retry: "Retry Now",
    kill: false,
    empty: "No dead jobs were found",
  },
};

function act(spec: SetSpec, action: string, keys: string[] | "all"): Promise<unknown> {
  return post(`sets/${spec.path}`, {
    action: action === "retry" && spec.path === "scheduled" ? "add_to_queue" : action,
    keys: keys === "all" ? ["all"] : keys,
  });
}

/** A set's list page. */
export async function setList(main: HTMLElement, spec: SetSpec): Promise<void> {
  const params = new URLSearchParams(location.search);
  const jobtype = params.get("jobtype") ?? "";
  const q = params.get("q") ?? "";
  const page = currentPage();
  const query = new URLSearchParams({ page: String(page), jobtype, q });
  const data = await get<SetPage>(`sets/${spec.path}?${query.toString()}`);
  const reload = () => void setList(main, spec);
  const boxes: HTMLInputElement[] = [];
  const selected = () => boxes.filter((b) => b.checked).map((b) => b.value);
  const bulk = (label: string, action: string, danger = false) =>
    actionButton(label, () => act(spec, action, selected()), reload, { danger, name: action });
  const all = (label: string, action: string) =>
    actionButton(label, () => act(spec, action, "all"), reload, {
      danger: action !== "retry",
      confirm: `${label}: ${num(data.total)} job(s) in ${spec.title}?`,
      name: `${action}-all`,
    });
  const filter = h(
    "form",
    { class: "filter", method: "get", action: `/${spec.path}`, role: "search" },
    h("label", {}, "Job type ", h("input", { name: "jobtype", value: jobtype, size: "16" })),
    h("label", {}, " JID contains ", h("input", { name: "q", value: q, size: "16" })),
    h("button", { type: "submit" }, "Filter"),
  );
  const row = (e: Entry): HTMLTableRowElement => {
    const box = h("input", { type: "checkbox", value: e.key, "aria-label": `Select ${e.jid}` });
    boxes.push(box);
    return h(
      "tr",
      {},
      h("td", {}, box),
      h(
        "td",
        {},
        h(
          "a",
          { href: `/${spec.path}/${encodeURIComponent(e.key)}` },
          when(spec.path === "morgue" ? e.job.failure?.failed_at : e.at),
        ),
      ),
      h("td", {}, e.job.queue ?? ""),
      h("td", {}, e.job.jobtype ?? ""),
      argsCell(e.job),
      spec.path === "scheduled"
        ? null
        : h(
            "td",
            { class: "error-message" },
            `${e.job.failure?.errtype ?? ""}: ${e.job.failure?.message ?? ""}`,
          ),
    );
  };
  mount(
    main,
    h("h1", {}, spec.title),
    filter,
    pager(data.total, page),
    data.entries.length === 0
      ? h("p", {}, spec.empty)
      : listTable(
          [
            h("span", { class: "sr-only" }, "Select"),
            spec.path === "morgue" ? "Died" : spec.when,
            "Queue",
            "Job",
            "Arguments",
            spec.path === "scheduled" ? null : "Error",
          ],
          data.entries,
          row,
        ),
    data.entries.length === 0
      ? null
      : h(
          "div",
          { class: "actions" },
          bulk(spec.retry, "retry"),
          bulk("Delete", "delete", true),
          spec.kill ? bulk("Kill", "kill", true) : null,
          " ",
          all(spec.path === "scheduled" ? "Add All to Queue" : "Retry All", "retry"),
          all("Delete All", "delete"),
          spec.kill ? all("Kill All", "kill") : null,
        ),
  );
}

/** One entry's page. */
export async function setEntry(main: HTMLElement, spec: SetSpec, key: string): Promise<void> {
  let data: Entry & { progress?: Record<string, unknown> };
  try {
    data = await get(`sets/${spec.path}/${encodeURIComponent(key)}`);
  } catch {
    mount(
      main,
      h("h1", {}, spec.title),
      h("p", {}, "This job is no longer here."),
      h("a", { href: `/${spec.path}` }, "← Back"),
    );
    return;
  }
  const back = () => location.assign(`/${spec.path}`);
  mount(
    main,
    h("h1", {}, `${spec.title}: ${data.job.jobtype ?? ""}`),
    jobInfo(data.job, data.progress),
    h(
      "div",
      { class: "actions" },
      actionButton(spec.retry, () => act(spec, "retry", [key]), back, { name: "retry" }),
      actionButton("Delete", () => act(spec, "delete", [key]), back, { danger: true, name: "delete" }),
      spec.kill
        ? actionButton("Kill", () => act(spec, "kill", [key]), back, { danger: true, name: "kill" })
        : null,
    ),
    h("p", {}, h("a", { href: `/${spec.path}` }, "← Back")),
  );
}

const WHERE_PATH: Record<string, string> = { retries: "retries", scheduled: "scheduled", dead: "morgue" };

/** The jid search page: where the job is, with its details. */
export async function jobSearch(main: HTMLElement, jid: string): Promise<void> {
  const data = await get<{
    found: Array<{ where: string; key?: string; queue?: string; job: Job }>;
    progress?: Record<string, unknown>;
  }>(`jobs/${encodeURIComponent(jid)}`);
  mount(
    main,
    h("h1", {}, "Job ", h("code", {}, jid)),
    data.found.length === 0
      ? h("p", {}, "No job with this JID is queued, in progress, scheduled, retrying or dead.")
      : null,
    data.found.map((f) => {
      const path = WHERE_PATH[f.where];
      const place =
        f.where === "queue"
          ? h("a", { href: `/queues/${encodeURIComponent(f.queue ?? "")}` }, `queue ${f.queue ?? ""}`)
          : path !== undefined && f.key !== undefined
            ? h("a", { href: `/${path}/${encodeURIComponent(f.key)}` }, f.where)
            : f.where === "working"
              ? h("a", { href: "/busy" }, "in progress")
              : f.where;
      return h("section", {}, h("h2", {}, "In ", place), jobInfo(f.job, data.progress));
    }),
  );
}

/** A queue's page: paged jobs, delete selected, pause/resume/clear. */
export async function queuePage(main: HTMLElement, name: string): Promise<void> {
  const page = currentPage();
  let data: { name: string; size: number; paused: boolean; latency: number; jobs: Job[] };
  try {
    data = await get(`queues/${encodeURIComponent(name)}?page=${page}`);
  } catch {
    mount(
      main,
      h("h1", {}, "Queue ", name),
      h("p", {}, "No such queue."),
      h("a", { href: "/queues" }, "← Queues"),
    );
    return;
  }
  const reload = () => void queuePage(main, name);
  const boxes: HTMLInputElement[] = [];
  const path = `queues/${encodeURIComponent(name)}`;
  mount(
    main,
    h(
      "h1",
      {},
      "Queue ",
      h("span", { class: "name" }, name),
      data.paused ? h("span", { class: "badge" }, "paused") : null,
    ),
    h("p", {}, `${num(data.size)} job(s), oldest waiting ${data.latency.toFixed(1)} s`),
    pager(data.size, page),
    listTable(
      [h("span", { class: "sr-only" }, "Select"), "JID", "Job", "Arguments", "Enqueued"],
      data.jobs,
      (job) => {
        const box = h("input", {
          type: "checkbox",
          value: job.jid ?? "",
          "aria-label": `Select ${job.jid ?? ""}`,
        });
        boxes.push(box);
        return h(
          "tr",
          {},
          h("td", {}, box),
          jidCell(job.jid ?? ""),
          h("td", {}, job.jobtype ?? ""),
          argsCell(job),
          h("td", {}, when(job.enqueued_at)),
        );
      },
    ),
    h(
      "div",
      { class: "actions" },
      actionButton(
        "Delete Selected",
        () => post(path, { action: "delete_jobs", jids: boxes.filter((b) => b.checked).map((b) => b.value) }),
        reload,
        { danger: true, name: "delete-selected" },
      ),
      data.paused
        ? actionButton("Resume", () => post(path, { action: "resume" }), reload, { name: "resume" })
        : actionButton("Pause", () => post(path, { action: "pause" }), reload, { name: "pause" }),
      actionButton(
        "Clear",
        () => post(path, { action: "clear" }),
        () => location.assign("/queues"),
        { danger: true, confirm: `Delete queue ${name} and its ${num(data.size)} job(s)?`, name: "clear" },
      ),
    ),
  );
  if (data.jobs.length === 0) flash(main, "This page has no jobs.", "ok");
}
