/**
 * Pieces shared by the pages: the pager, buttons that post an action, the job-info table,
 * status messages.
 * @module
 */
import { ApiError } from "./api.js";
import { argsText, type Child, h, num, when } from "./dom.js";
import type { Job } from "./api.js";

/** Rows per page (as the server pages). */
export const PER_PAGE = 25;

/** The current `?page=` (1-based). */
export function currentPage(): number {
  const n = Number(new URLSearchParams(location.search).get("page") ?? "1");
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

function pageHref(page: number): string {
  const q = new URLSearchParams(location.search);
  q.set("page", String(page));
  return `${location.pathname}?${q.toString()}`;
}

/** Faktory's pager (« prev current next »), keeping the other query parameters; empty for one page. */
export function pager(total: number, page: number): HTMLElement | null {
  const last = Math.max(1, Math.ceil(total / PER_PAGE));
  if (last <= 1) return null;
  const item = (label: string, target: number, disabled: boolean, current = false) =>
    h(
      "li",
      {},
      disabled
        ? h("span", { "aria-current": current ? "page" : undefined }, label)
        : h("a", { href: pageHref(target), "aria-label": `Page ${target}` }, label),
    );
  return h(
    "nav",
    { "aria-label": "Pages", class: "pager" },
    h(
      "ul",
      {},
      item("«", 1, page === 1),
      page > 1 ? item(String(page - 1), page - 1, false) : null,
      item(String(page), page, true, true),
      page < last ? item(String(page + 1), page + 1, false) : null,
      item("»", last, page >= last),
      h("li", { class: "muted" }, `${num(total)} in all`),
    ),
  );
}

/** Shows an error (or success) message at the top of `main`. */
export function flash(main: Element, message: string, kind: "error" | "ok" = "error"): void {
  main.querySelector(".flash")?.remove();
  main.prepend(h("p", { class: `flash ${kind}`, role: kind === "error" ? "alert" : "status" }, message));
}

/** A button that runs `action` (after a confirm, when one is given), then `done`. */
export function actionButton(
  label: string,
  action: () => Promise<unknown>,
  done: () => void,
  options: { confirm?: string; danger?: boolean; name?: string } = {},
): HTMLButtonElement {
  const button = h(
    "button",
    { type: "button", class: options.danger ? "danger" : undefined, "data-action": options.name },
    label,
  );
  button.addEventListener("click", () => {
    if (options.confirm !== undefined && !window.confirm(options.confirm)) return;
    button.disabled = true;
    action()
      .then(done)
      .catch((err: unknown) => {
        button.disabled = false;
        const main = document.querySelector("main");
        if (main !== null)
          flash(main, err instanceof ApiError ? `${err.status}: ${err.message}` : String(err));
      });
  });
  return button;
}

/**
 * A list table: a header row of `columns` (each a heading; `null` leaves the column out) and a
 * body of one `row(item)` per item.
 */
export function listTable<T>(
  columns: readonly Child[],
  items: readonly T[],
  row: (item: T) => HTMLTableRowElement,
): HTMLTableElement {
  return h(
    "table",
    { class: "list" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        columns.map((c) => (c === null ? null : h("th", { scope: "col" }, c))),
      ),
    ),
    h("tbody", {}, items.map(row)),
  );
}

/** A table cell linking a job id to the job's page. */
export function jidCell(jid: string): HTMLTableCellElement {
  return h("td", {}, h("a", { href: `/jobs/${encodeURIComponent(jid)}` }, h("code", {}, jid)));
}

/** A two-column table of label → value. */
export function infoTable(caption: string, rows: Array<[string, Child]>): HTMLTableElement {
  return h(
    "table",
    { class: "info" },
    h("caption", {}, caption),
    h(
      "tbody",
      {},
      rows.map(([k, v]) => h("tr", {}, h("th", { scope: "row" }, k), h("td", {}, v))),
    ),
  );
}

/** The job-info block of the detail pages: fields, custom data, error and backtrace. */
export function jobInfo(job: Job, progress?: Record<string, unknown>): HTMLElement {
  const failure = job.failure;
  const rows: Array<[string, Child]> = [
    ["Queue", job.queue ?? ""],
    ["JID", h("code", {}, job.jid ?? "")],
    ["Type", job.jobtype ?? ""],
    ["Arguments", h("pre", { class: "args" }, JSON.stringify(job.args ?? [], null, 2))],
    ["Created At", when(job.created_at)],
    ["Enqueued At", job.enqueued_at ? when(job.enqueued_at) : "Not yet enqueued"],
  ];
  if (typeof job["at"] === "string" && job["at"] !== "") rows.push(["Scheduled At", when(job["at"])]);
  if (typeof job["retry"] === "number") rows.push(["Retry", String(job["retry"])]);
  if (failure !== undefined) {
    rows.push(["Retry Count", String(failure.retry_count ?? 0)]);
    rows.push(["Retries Remaining", String(failure.remaining ?? 0)]);
    rows.push(["Failed At", when(failure.failed_at)]);
    if (failure.next_at) rows.push(["Next Retry", when(failure.next_at)]);
  }
  if (job.custom !== undefined) rows.push(["Custom", h("pre", {}, JSON.stringify(job.custom, null, 2))]);
  if (progress !== undefined) rows.push(["Progress", h("pre", {}, JSON.stringify(progress, null, 2))]);
  return h(
    "section",
    {},
    infoTable("Job", rows),
    failure === undefined
      ? null
      : infoTable("Error", [
          ["Error Class", failure.errtype ?? ""],
          ["Error Message", h("pre", { class: "error-message" }, failure.message ?? "")],
          ["Error Backtrace", h("pre", { class: "backtrace" }, (failure.backtrace ?? []).join("\n"))],
        ]),
    h("details", {}, h("summary", {}, "Raw payload"), h("pre", {}, JSON.stringify(job, null, 2))),
  );
}

/** A job's arguments for a table cell. */
export function argsCell(job: Job): HTMLElement {
  return h("td", { class: "args" }, h("code", {}, argsText(job.args)));
}
