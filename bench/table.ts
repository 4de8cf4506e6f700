/** The results table: one row per metric, both libraries, their ratio, the target and whether it is met. */
import type { LibName } from "./shared.js";

export type Target =
  /** faktory-ts / faktory-worker must be at least `value`. */
  | { kind: "ratio-min"; value: number }
  /** faktory-ts / faktory-worker must be at most `value`. */
  | { kind: "ratio-max"; value: number }
  /** faktory-ts's figure must be at least `value`. */
  | { kind: "ts-min"; value: number }
  /** faktory-ts's figure must be below `value`. */
  | { kind: "ts-max"; value: number };

export interface Metric {
  key: string;
  label: string;
  higherIsBetter: boolean;
  target?: Target | undefined;
  notes?: string[];
  /** Every round's figure per library; the library's field holds their median. */
  samples?: Partial<Record<LibName, number[]>>;
  "faktory-ts"?: number;
  "faktory-worker"?: number;
}

export function metricRatio(m: Metric): number | undefined {
  const ts = m["faktory-ts"];
  const fw = m["faktory-worker"];
  if (ts === undefined || fw === undefined || fw === 0) return undefined;
  return ts / fw;
}

/**
 * The ratio of each round (faktory-ts ÷ faktory-worker of the same round, never of different
 * rounds), as [min, max]; undefined unless both libraries have the same number of rounds.
 */
export function roundRatios(m: Metric): [number, number] | undefined {
  const ts = m.samples?.["faktory-ts"];
  const fw = m.samples?.["faktory-worker"];
  if (ts === undefined || fw === undefined || ts.length !== fw.length || ts.length === 0) return undefined;
  const ratios = ts.map((t, i) => t / fw[i]!).filter((r) => Number.isFinite(r));
  if (ratios.length === 0) return undefined;
  return [Math.min(...ratios), Math.max(...ratios)];
}

export type Status = "met" | "missed" | "n/a" | "";

export function metricStatus(m: Metric): Status {
  const t = m.target;
  if (t === undefined) return "";
  const ts = m["faktory-ts"];
  const ratio = metricRatio(m);
  switch (t.kind) {
    case "ratio-min":
      return ratio === undefined ? "n/a" : ratio >= t.value ? "met" : "missed";
    case "ratio-max":
      return ratio === undefined ? "n/a" : ratio <= t.value ? "met" : "missed";
    case "ts-min":
      return ts === undefined ? "n/a" : ts >= t.value ? "met" : "missed";
    case "ts-max":
      return ts === undefined ? "n/a" : ts < t.value ? "met" : "missed";
  }
}

function describeTarget(t: Target | undefined): string {
  if (t === undefined) return "";
  switch (t.kind) {
    case "ratio-min":
      return `≥ ${t.value}×`;
    case "ratio-max":
      return `≤ ${t.value}×`;
    case "ts-min":
      return `≥ ${t.value.toLocaleString("en-US")}`;
    case "ts-max":
      return `< ${t.value}`;
  }
}

function formatValue(value: number | undefined): string {
  if (value === undefined) return "n/a";
  if (value >= 100) return Math.round(value).toLocaleString("en-US");
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** The median, and with several rounds their range: `45,107 [41,203–47,011]`. */
function formatCell(m: Metric, lib: LibName): string {
  const samples = m.samples?.[lib] ?? [];
  const median = formatValue(m[lib]);
  if (samples.length < 2) return median;
  return `${median} [${formatValue(Math.min(...samples))}–${formatValue(Math.max(...samples))}]`;
}

function formatRatio(m: Metric): string {
  const ratio = metricRatio(m);
  if (ratio === undefined) return "";
  const range = roundRatios(m);
  if (range === undefined || (m.samples?.["faktory-ts"]?.length ?? 0) < 2) return `${ratio.toFixed(2)}×`;
  return `${ratio.toFixed(2)}× [${range[0].toFixed(2)}–${range[1].toFixed(2)}]`;
}

const LIB_COLUMNS: readonly LibName[] = ["faktory-ts", "faktory-worker"];

/** A Markdown-compatible table (readable in a terminal, pastable into the README). */
export function formatTable(metrics: readonly Metric[]): string {
  const rows: string[][] = [["Benchmark", ...LIB_COLUMNS, "ts/fw", "Target", "Status"]];
  for (const m of metrics) {
    rows.push([
      m.label,
      ...LIB_COLUMNS.map((lib) => formatCell(m, lib)),
      formatRatio(m),
      describeTarget(m.target),
      metricStatus(m),
    ]);
  }
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => [...r[col]!].length)));
  const numeric = (col: number): boolean => col >= 1 && col <= 3;
  const line = (r: string[]): string =>
    `| ${r
      .map((cell, col) => (numeric(col) ? cell.padStart(widths[col]!) : cell.padEnd(widths[col]!)))
      .join(" | ")} |`;
  const rule = `|${widths.map((w, col) => (numeric(col) ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`;
  const notes = metrics.flatMap((m) => (m.notes ?? []).map((n) => `- ${m.label}: ${n}`));
  return [
    line(rows[0]!),
    rule,
    ...rows.slice(1).map(line),
    "",
    "ts/fw = faktory-ts ÷ faktory-worker of the medians (above 1 is better for rates, below 1 for latency,",
    "memory and CPU); [min–max] = the range over rounds, and for ts/fw the range of each round's own ratio.",
    ...notes,
  ].join("\n");
}
