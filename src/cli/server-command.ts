/**
 * `faktory-ts server`: runs the embedded Faktory-compatible server until SIGINT or SIGTERM.
 * @module
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createLineLogger, isLogLevel, startServer } from "../server/index.js";

/** Usage text of `faktory-ts server`. */
export const SERVER_USAGE = `Usage: faktory-ts server [options]

Runs an embedded Faktory-compatible server (protocol 2, Faktory 1.10) until SIGINT/SIGTERM.

Options:
  --host <addr>         interface to listen on (default 127.0.0.1)
  --port <n>            protocol port (default 7419; 0 = any free port)
  --web-port <n>        HTTP port (default 7420; 0 = any free port; "off" = no HTTP)
  --password <pw>       password clients must send (default: env FAKTORY_PASSWORD)
  --tls-key <file>      PEM private key: serve TLS (tcp+tls://) and HTTPS
  --tls-cert <file>     PEM certificate (required with --tls-key)
  --data-dir <dir>      keep jobs on disk in this folder (default $XDG_DATA_HOME/faktory-ts/db,
                        else ~/.faktory-ts/db); needs the optional package better-sqlite3
  --memory              keep jobs in memory only (lost when the server stops)
  --synchronous <mode>  normal (default: survives a crash or kill -9) | full (also power loss)
  --log-level <level>   error | warn | info | debug (default info)
  --enterprise          Enterprise features: batches, progress tracking, unique and expiring jobs
  -h, --help            show this help
`;

/** Where the command writes and which signals stop it (replaceable in tests). */
export interface ServerCommandIO {
  /** Normal output (the "listening on" line). */
  stdout: (text: string) => void;
  /** Logs and errors. */
  stderr: (text: string) => void;
  /** Environment (for FAKTORY_PASSWORD). */
  env: NodeJS.ProcessEnv;
}

const defaultIO: ServerCommandIO = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
};

/**
 * The default data folder: `$XDG_DATA_HOME/faktory-ts/db` when XDG_DATA_HOME is set, else
 * `~/.faktory-ts/db` (as Faktory uses `~/.faktory/db`).
 */
export function defaultDataDir(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_DATA_HOME;
  if (xdg !== undefined && xdg !== "") return join(xdg, "faktory-ts", "db");
  return join(env.HOME !== undefined && env.HOME !== "" ? env.HOME : homedir(), ".faktory-ts", "db");
}

function parsePort(name: string, text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65535)
    throw new Error(`--${name} must be a port number from 0 to 65535, got "${text}"`);
  return n;
}

/**
 * Runs `faktory-ts server` with the arguments after `server`. Resolves with the exit code:
 * 0 after a clean stop on SIGINT/SIGTERM, 2 for bad arguments, 1 if the server cannot start.
 */
export async function runServerCommand(argv: string[], io: ServerCommandIO = defaultIO): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        host: { type: "string", default: "127.0.0.1" },
        port: { type: "string", default: "7419" },
        "web-port": { type: "string", default: "7420" },
        password: { type: "string" },
        "tls-key": { type: "string" },
        "tls-cert": { type: "string" },
        "log-level": { type: "string", default: "info" },
        "data-dir": { type: "string" },
        memory: { type: "boolean" },
        synchronous: { type: "string", default: "normal" },
        enterprise: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (err) {
    io.stderr(`faktory-ts server: ${err instanceof Error ? err.message : String(err)}\n\n${SERVER_USAGE}`);
    return 2;
  }
  if (values.help === true) {
    io.stdout(SERVER_USAGE);
    return 0;
  }
  let options: Parameters<typeof startServer>[0];
  try {
    const level = String(values["log-level"]);
    if (!isLogLevel(level)) throw new Error(`--log-level must be error, warn, info or debug, got "${level}"`);
    const webPortText = String(values["web-port"]);
    const keyFile = values["tls-key"] as string | undefined;
    const certFile = values["tls-cert"] as string | undefined;
    if ((keyFile === undefined) !== (certFile === undefined))
      throw new Error("--tls-key and --tls-cert go together");
    const password = (values.password as string | undefined) ?? io.env.FAKTORY_PASSWORD;
    const dataDir = values["data-dir"] as string | undefined;
    if (values.memory === true && dataDir !== undefined)
      throw new Error("--memory and --data-dir exclude each other");
    const synchronous = String(values.synchronous);
    if (synchronous !== "normal" && synchronous !== "full")
      throw new Error(`--synchronous must be normal or full, got "${synchronous}"`);
    options = {
      ...(values.memory === true
        ? {}
        : { storage: { path: dataDir ?? defaultDataDir(io.env), synchronous } }),
      host: String(values.host),
      port: parsePort("port", String(values.port)),
      webPort: webPortText === "off" ? false : parsePort("web-port", webPortText),
      logger: createLineLogger(level, io.stderr),
      enterprise: values.enterprise === true,
      ...(password ? { password } : {}),
      ...(keyFile !== undefined && certFile !== undefined
        ? { tls: { key: readFileSync(keyFile), cert: readFileSync(certFile) } }
        : {}),
    };
  } catch (err) {
    io.stderr(`faktory-ts server: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }

  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(options);
  } catch (err) {
    io.stderr(`faktory-ts server: cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  io.stdout(
    options.storage === undefined
      ? "faktory-ts server: jobs are kept in memory only (--memory)\n"
      : `faktory-ts server: data in ${(options.storage as { path: string }).path}\n`,
  );
  io.stdout(
    `faktory-ts server listening on ${server.url}${server.webUrl === undefined ? "" : ` (web ${server.webUrl})`}\n`,
  );
  io.stdout(
    options?.enterprise === true
      ? "faktory-ts server: Enterprise features on (batches, tracking, unique and expiring jobs)\n"
      : "faktory-ts server: open-source Faktory mode (start with --enterprise for batches, tracking, unique and expiring jobs)\n",
  );
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      io.stderr(`faktory-ts server: ${signal} received, stopping\n`);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  await server.close();
  return 0;
}
