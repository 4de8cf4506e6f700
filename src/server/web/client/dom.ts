/**
 * Building the page with DOM calls only: text goes in through `textContent`, so every value
 * from a job (args, errors, backtraces, queue names) is shown as text, never parsed as HTML.
 * @module
 */

/** Attributes of {@link h}: strings, or `false`/`undefined` to leave the attribute out. */
export type Attrs = Record<string, string | boolean | undefined>;
/** What {@link h} accepts as children. */
export type Child = Node | string | number | null | undefined | false | readonly Child[];

function append(parent: Node, child: Child): void {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) for (const c of child as readonly Child[]) append(parent, c);
  else if (child instanceof Node) parent.appendChild(child);
  else parent.appendChild(document.createTextNode(String(child)));
}

/** Creates an element: `h("a", { href: "/x" }, "text")`. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    el.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children) append(el, child);
  return el;
}

/** Numbers with `,` thousands separators, as Faktory's UI. */
export function num(n: number): string {
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** "3 minutes ago" / "in 2 hours" for an RFC 3339 time, with the time itself. */
export function when(iso: unknown): HTMLElement {
  if (typeof iso !== "string" || iso === "") return h("span", {}, "–");
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return h("span", {}, iso);
  const s = Math.round((ms - Date.now()) / 1000);
  const a = Math.abs(s);
  const [v, unit] =
    a < 60
      ? [a, "second"]
      : a < 3600
        ? [a / 60, "minute"]
        : a < 86400
          ? [a / 3600, "hour"]
          : [a / 86400, "day"];
  const n = Math.round(v);
  const text = `${n} ${unit}${n === 1 ? "" : "s"}`;
  return h("time", { datetime: iso, title: iso }, s < 0 ? `${text} ago` : `in ${text}`);
}

/** A job's arguments as JSON text, cut at `max` characters. */
export function argsText(args: unknown, max = 1024): string {
  if (!Array.isArray(args)) return "";
  return args
    .map((a) => {
      const t = JSON.stringify(a) ?? "";
      return t.length > max ? `${t.slice(0, max)}…` : t;
    })
    .join(", ");
}

/** Replaces the children of `el`. */
export function mount(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  for (const child of children) append(el, child);
}
