/**
 * Server child: the embedded faktory-ts server in its own process, so its CPU never shares an
 * event loop with a client under test. Sends `{type:"ready", url}`, runs until the parent
 * disconnects or sends SIGTERM. Answers `{type:"cpu"}` with its own `process.cpuUsage()`, so the
 * parent can charge the server's CPU time to the jobs of a load run.
 */
import { startServer } from "../src/server/index.js";
import { errorText, type FromServer, type ToServer } from "./shared.js";

function send(message: FromServer): void {
  if (process.connected) process.send?.(message);
}

try {
  // FAKTORY_BENCH_DATA_DIR: durable storage in that folder (npm run bench:durable)
  const dataDir = process.env.FAKTORY_BENCH_DATA_DIR;
  const server = await startServer({
    port: 0,
    webPort: false,
    ...(dataDir === undefined || dataDir === "" ? {} : { storage: { path: dataDir } }),
  });
  const stop = (): void => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("disconnect", stop);
  process.on("SIGTERM", stop);
  process.on("message", (message: ToServer) => {
    if (message.type === "cpu") {
      const { user, system } = process.cpuUsage();
      send({ type: "cpu", userUs: user, systemUs: system });
    }
  });
  send({ type: "ready", url: server.url });
} catch (err) {
  send({ type: "error", message: errorText(err) });
  process.exit(1);
}
