/**
 * Load child: Faktory's own load test (`test/load/main.go`, protocol doc §7) over the raw
 * protocol, measuring the SERVER. `threads` connections; even ones PUSH `SomeJob [1,"string",3]`
 * to a random one of 5 queues, odd ones FETCH from their own shuffled list of the 5 queues and
 * ACK (FAIL with 1% probability), one command at a time each. Both sides stop at `jobs`; the
 * rate is jobs / (time from the first command to the last pop's ACK/FAIL reply).
 */
import { Connection } from "../src/connection/index.js";
import { generateJid } from "../src/protocol/ids.js";
import { errorText, type FromLoad, type LoadSpec } from "./shared.js";

function send(message: FromLoad): void {
  if (process.connected) process.send?.(message);
}

function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

async function runLoad(spec: LoadSpec): Promise<void> {
  const queues = Array.from({ length: 5 }, (_, i) => `${spec.queuePrefix}${i}`);
  const conns = await Promise.all(
    Array.from({ length: spec.threads }, () => Connection.open({ url: spec.url })),
  );
  /** jid -> times fetched. */
  const seen = new Map<string, number>();
  let pushes = 0;
  let pops = 0;
  let fails = 0;
  let foreign = 0;
  let acked = 0; // ACK/FAIL replies received
  let lastReport = 0;
  let endAt = 0;
  let allAcked: () => void = () => {};
  const acknowledged = new Promise<void>((resolve) => {
    allAcked = resolve;
  });

  const pusher = async (conn: Connection): Promise<void> => {
    while (pushes < spec.jobs) {
      pushes++;
      const jid = generateJid();
      seen.set(jid, 0);
      const queue = queues[Math.floor(Math.random() * queues.length)]!;
      const reply = await conn.send(
        `PUSH {"jid":"${jid}","jobtype":"SomeJob","args":[1,"string",3],"queue":"${queue}"}\r\n`,
      );
      if (reply.kind !== "simple") throw new Error(`PUSH replied ${JSON.stringify(reply)}`);
    }
  };
  const fetcher = async (conn: Connection): Promise<void> => {
    const line = `FETCH ${shuffled(queues).join(" ")}\r\n`;
    while (pops < spec.jobs) {
      const reply = await conn.send(line, 2000);
      if (reply.kind !== "bulk") continue; // null: timed out, as the Go test ignores it
      const { jid } = JSON.parse(reply.value) as { jid: string };
      const count = seen.get(jid);
      if (count === undefined) foreign++;
      else seen.set(jid, count + 1);
      pops++;
      if (Math.floor(Math.random() * 100) === 99) {
        fails++;
        await conn.send(`FAIL {"jid":"${jid}","errtype":"ErrClosed","message":"file already closed"}\r\n`);
      } else await conn.send(`ACK {"jid":"${jid}"}\r\n`);
      if (++acked === spec.jobs) {
        endAt = performance.now();
        allAcked();
      }
      const now = performance.now();
      if (now - lastReport > 100) {
        lastReport = now;
        send({ type: "progress", done: pops, total: spec.jobs });
      }
    }
  };

  const start = performance.now();
  const pushing = conns.filter((_, i) => i % 2 === 0).map(pusher);
  const fetching = conns.filter((_, i) => i % 2 === 1).map(fetcher);
  await Promise.all(pushing);
  // Fetchers left blocked in FETCH when the last job went elsewhere would wait out the 2 s
  // block: wait for the last ACK/FAIL reply, then drop the connections.
  await Promise.race([Promise.all(fetching), acknowledged]);
  const elapsedMs = (endAt || performance.now()) - start;
  for (const conn of conns) conn.destroy();
  await Promise.allSettled(fetching);

  let missing = 0;
  let duplicated = 0;
  for (const count of seen.values()) {
    if (count === 0) missing++;
    else if (count > 1) duplicated++;
  }
  send({
    type: "result",
    result: {
      jobs: spec.jobs,
      pushes,
      pops,
      fails,
      elapsedMs,
      check: { expected: seen.size, missing, duplicated, foreign },
    },
  });
}

process.once("message", (spec: LoadSpec) => {
  runLoad(spec).then(
    () => process.disconnect(),
    (err: unknown) => {
      send({ type: "error", message: errorText(err) });
      process.disconnect();
    },
  );
});
