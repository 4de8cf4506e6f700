/**
 * `faktory-ts queues`: lists queues (size, latency), and `queues pause|resume|remove <queue…|*>`.
 * @module
 */
import type { Client } from "../client/index.js";
import {
  type CliIO,
  COMMON_OPTIONS,
  COMMON_USAGE,
  EXIT_OK,
  paint,
  parseCommandArgs,
  processIO,
  runCommand,
  stringOption,
  table,
  UsageError,
  withClient,
  writeJson,
} from "./common.js";

/** Usage text of `faktory-ts queues`. */
export const QUEUES_USAGE = `Usage: faktory-ts queues [options]
       faktory-ts queues pause|resume|remove <queue...|*> [options]

Without an action, lists every queue with its size and latency (seconds since its oldest job
was enqueued). Faktory's protocol does not report whether a queue is paused; the PAUSED column
appears only when the server's INFO says (a "paused" list under "faktory").

  pause    workers get no jobs from the queues; pushes still land
  resume   undoes pause
  remove   removes the queues AND DELETES THEIR JOBS
  *        every queue the server knows (quote it in a shell: '*')

Options:
  --json                list as JSON: [{"name", "size", "latency", "paused"?}]
${COMMON_USAGE}`;

const ACTIONS = ["pause", "resume", "remove"] as const;
type Action = (typeof ACTIONS)[number];

/** One row of `faktory-ts queues`. */
export interface QueueRow {
  /** Queue name. */
  name: string;
  /** Jobs waiting. */
  size: number;
  /** Seconds since the oldest job was enqueued (0 when empty). */
  latency: number;
  /** Whether it is paused, when the server reports it. */
  paused?: boolean;
}

/** Runs `faktory-ts queues` with the arguments after `queues`; resolves with the exit code. */
export function runQueuesCommand(argv: string[], io: CliIO = processIO()): Promise<number> {
  return runCommand("queues", io, async () => {
    const { values, positionals } = parseCommandArgs(argv, COMMON_OPTIONS);
    if (values.help === true) {
      io.stdout(QUEUES_USAGE);
      return EXIT_OK;
    }
    const [action, ...names] = positionals;
    const url = stringOption(values, "url");
    if (action === undefined) {
      const rows = await withClient(io, url, listQueues);
      if (values.json === true) writeJson(io, rows);
      else io.stdout(formatQueues(rows, io));
      return EXIT_OK;
    }
    if (!(ACTIONS as readonly string[]).includes(action))
      throw new UsageError(`unknown action ${JSON.stringify(action)}: use pause, resume or remove`);
    if (names.length === 0) throw new UsageError(`${action} needs queue names, or '*' for all`);
    const target = names.length === 1 && names[0] === "*" ? "*" : names;
    if (target !== "*" && names.includes("*")) throw new UsageError("'*' cannot be mixed with queue names");
    await withClient(io, url, (c) => act(c, action as Action, target));
    if (values.json === true) writeJson(io, { action, queues: target });
    else io.stdout(`${pastTense(action as Action)} ${target === "*" ? "all queues" : names.join(", ")}\n`);
    return EXIT_OK;
  });
}

function act(client: Client, action: Action, target: "*" | string[]): Promise<void> {
  if (action === "pause") return client.pauseQueues(target);
  if (action === "resume") return client.resumeQueues(target);
  return client.removeQueues(target);
}

function pastTense(action: Action): string {
  return action === "pause" ? "paused" : action === "resume" ? "resumed" : "removed";
}

/** Every queue the server knows, with size, latency and (when reported) paused state, by name. */
export async function listQueues(client: Client): Promise<QueueRow[]> {
  const info = await client.info();
  const names = Object.keys(info.faktory.queues).sort();
  const latency = names.length === 0 ? {} : await client.queueLatency(...names);
  const paused = (info.faktory as { paused?: unknown }).paused;
  const pausedSet = Array.isArray(paused) ? new Set(paused.filter((p) => typeof p === "string")) : undefined;
  return names.map((name) => ({
    name,
    size: info.faktory.queues[name] ?? 0,
    latency: latency[name] ?? 0,
    ...(pausedSet === undefined ? {} : { paused: pausedSet.has(name) }),
  }));
}

/** The table of `faktory-ts queues`. */
export function formatQueues(rows: readonly QueueRow[], io: CliIO): string {
  const p = paint(io);
  if (rows.length === 0) return `${p.dim("no queues")}\n`;
  const withPaused = rows.some((r) => r.paused !== undefined);
  const header = [p.bold("QUEUE"), p.bold("SIZE"), p.bold("LATENCY")];
  if (withPaused) header.push(p.bold("PAUSED"));
  return table([
    header,
    ...rows.map((r) => {
      const row = [r.name, String(r.size), `${r.latency.toFixed(2)}s`];
      if (withPaused) row.push(r.paused === true ? p.yellow("yes") : "no");
      return row;
    }),
  ]);
}
