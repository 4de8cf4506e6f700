import { connect, createServer, type Server, type Socket } from "node:net";

/** What to do with one command line a client sends through a {@link FaultProxy}. */
export type LineVerdict = "forward" | "cut-before" | "cut-after";

/** Settings of {@link startFaultProxy}. */
export interface FaultProxyOptions {
  /** Where the real server listens. */
  target: { host?: string; port: number };
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Port to listen on (default 0: a free port). */
  port?: number;
  /** Cut one random live connection on average every this many ms (0 or absent: never). */
  cutEveryMs?: number;
  /** Split every chunk into random pieces of 1..`splitMax` bytes (absent: no splitting). */
  splitMax?: number;
  /** Delay each piece by a random 0..`delayMaxMs` ms, keeping order (absent: no delay). */
  delayMaxMs?: number;
  /**
   * Inspect each complete line a client sends: forward it, cut the connection before
   * forwarding it, or forward it and cut before the reply can come back.
   */
  onClientLine?: (line: string, connectionId: number) => LineVerdict;
  /** Random source in [0, 1) (default Math.random), for reproducible runs. */
  random?: () => number;
}

/** Counters of a {@link FaultProxy}. */
export interface FaultProxyStats {
  /** Client connections accepted and bridged. */
  connections: number;
  /** Connections cut by the proxy. */
  cuts: number;
  /** Connections refused while {@link FaultProxy.refuseFor} was in force. */
  refused: number;
}

/** A running fault-injecting TCP proxy. */
export interface FaultProxy {
  /** Port the proxy listens on. */
  readonly port: number;
  /** Live counters. */
  readonly stats: FaultProxyStats;
  /** Cuts every live connection now. */
  cutAll(): void;
  /** Cuts one random live connection now; false when there is none. */
  cutRandom(): boolean;
  /** Refuses (accepts and at once resets) new connections for `ms` milliseconds, and cuts live ones. */
  refuseFor(ms: number): void;
  /** Starts or stops the random cuts. */
  setCutEveryMs(ms: number): void;
  /** Stops listening and cuts every connection. */
  close(): Promise<void>;
}

interface Pair {
  id: number;
  client: Socket;
  upstream: Socket;
}

/**
 * Starts a TCP proxy between Faktory clients or workers and a server that injects faults:
 * connections cut at random moments (or at chosen command lines), packets split and delayed,
 * new connections refused for a while. Use it to prove that nothing is lost when the network
 * misbehaves.
 *
 * @example
 * ```ts
 * const proxy = await startFaultProxy({ target: { port: server.port }, cutEveryMs: 100 });
 * const worker = new Worker({ url: `tcp://127.0.0.1:${proxy.port}` });
 * ```
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const random = options.random ?? Math.random;
  const pairs = new Set<Pair>();
  const stats: FaultProxyStats = { connections: 0, cuts: 0, refused: 0 };
  let refuseUntil = 0;
  let nextId = 1;
  let cutTimer: NodeJS.Timeout | undefined;
  let cutEveryMs = options.cutEveryMs ?? 0;

  const cut = (pair: Pair): void => {
    if (!pairs.delete(pair)) return;
    stats.cuts++;
    pair.client.resetAndDestroy();
    pair.upstream.resetAndDestroy();
  };

  const makeWriter = (to: Socket): ((chunk: Buffer) => void) => {
    if (options.splitMax === undefined && options.delayMaxMs === undefined)
      return (chunk) => void to.write(chunk);
    let chain = Promise.resolve();
    return (chunk) => {
      const pieces: Buffer[] = [];
      if (options.splitMax === undefined) pieces.push(chunk);
      else
        for (let pos = 0; pos < chunk.length; ) {
          const size = 1 + Math.floor(random() * options.splitMax);
          pieces.push(chunk.subarray(pos, pos + size));
          pos += size;
        }
      for (const piece of pieces) {
        const delay = options.delayMaxMs === undefined ? 0 : Math.floor(random() * options.delayMaxMs);
        chain = chain.then(
          () =>
            new Promise<void>((resolve) => {
              const timer = setTimeout(() => {
                if (!to.destroyed) to.write(piece);
                resolve();
              }, delay);
              timer.unref();
            }),
        );
      }
    };
  };

  const server: Server = createServer((client) => {
    if (Date.now() < refuseUntil) {
      stats.refused++;
      client.resetAndDestroy();
      return;
    }
    const upstream = connect({ host: options.target.host ?? "127.0.0.1", port: options.target.port });
    const pair: Pair = { id: nextId++, client, upstream };
    pairs.add(pair);
    stats.connections++;
    const drop = (): void => {
      if (!pairs.delete(pair)) return;
      client.destroy();
      upstream.destroy();
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    const toClient = makeWriter(client);
    const toUpstream = makeWriter(upstream);
    upstream.on("data", (chunk: Buffer) => toClient(chunk));
    if (options.onClientLine === undefined) {
      client.on("data", (chunk: Buffer) => toUpstream(chunk));
      return;
    }
    const inspect = options.onClientLine;
    let partial = "";
    client.on("data", (chunk: Buffer) => {
      partial += chunk.toString("latin1");
      let nl = partial.indexOf("\n");
      while (nl >= 0) {
        const raw = partial.slice(0, nl + 1);
        partial = partial.slice(nl + 1);
        const verdict = inspect(
          Buffer.from(raw, "latin1")
            .toString("utf8")
            .replace(/\r?\n$/, ""),
          pair.id,
        );
        if (verdict === "cut-before") {
          cut(pair);
          return;
        }
        toUpstream(Buffer.from(raw, "latin1"));
        if (verdict === "cut-after") {
          // Let the line reach the server, then cut before its reply can come back.
          upstream.removeAllListeners("data");
          setImmediate(() => cut(pair));
          return;
        }
        nl = partial.indexOf("\n");
      }
    });
  });

  const scheduleCut = (): void => {
    if (cutTimer !== undefined) clearTimeout(cutTimer);
    cutTimer = undefined;
    if (cutEveryMs <= 0) return;
    const delay = Math.max(1, Math.round(-Math.log(1 - random()) * cutEveryMs));
    cutTimer = setTimeout(() => {
      proxy.cutRandom();
      scheduleCut();
    }, delay);
    cutTimer.unref();
  };

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;

  const proxy: FaultProxy = {
    port,
    stats,
    cutAll() {
      for (const pair of [...pairs]) cut(pair);
    },
    cutRandom() {
      if (pairs.size === 0) return false;
      const list = [...pairs];
      cut(list[Math.floor(random() * list.length)]!);
      return true;
    },
    refuseFor(ms) {
      refuseUntil = Date.now() + ms;
      proxy.cutAll();
    },
    setCutEveryMs(ms) {
      cutEveryMs = ms;
      scheduleCut();
    },
    async close() {
      cutEveryMs = 0;
      scheduleCut();
      proxy.cutAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  scheduleCut();
  return proxy;
}
