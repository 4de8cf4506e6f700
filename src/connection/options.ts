import type { ConnectionOptions as TlsConnectionOptions } from "node:tls";
import { type Environment, parseServerUrl, resolveServerUrl, type ServerAddress } from "../protocol/url.js";

/** TLS settings passed to `tls.connect` (custom CA, client certificate, `rejectUnauthorized`, ...). */
export type TlsOptions = Pick<
  TlsConnectionOptions,
  | "ca"
  | "cert"
  | "key"
  | "passphrase"
  | "pfx"
  | "rejectUnauthorized"
  | "servername"
  | "minVersion"
  | "checkServerIdentity"
>;

/** What a worker says about itself in HELLO. Producers leave it out. */
export interface WorkerIdentity {
  /** Unique id of the worker process. */
  wid: string;
  /** Host name reported to the server. */
  hostname: string;
  /** OS process id reported to the server. */
  pid: number;
  /** Free-form labels. */
  labels: string[];
}

/** How to reach and talk to a Faktory server. Every field is optional. */
export interface ConnectionOptions {
  /**
   * Server URL, `tcp://[:password@]host[:port]` or `tcp+tls://...`. Default: the variable named
   * by `FAKTORY_PROVIDER`, else `FAKTORY_URL`, else `tcp://localhost:7419`.
   */
  url?: string;
  /** Password; overrides one in the URL. */
  password?: string;
  /** User name sent in HELLO (ignored by Faktory, may route through proxies); overrides the URL's. */
  username?: string;
  /** Use TLS even for a `tcp://` URL, with these settings (or `true` for defaults). */
  tls?: TlsOptions | boolean;
  /** Milliseconds to open the socket (default 5000). */
  connectTimeoutMs?: number;
  /** Milliseconds for the HI/HELLO exchange (default 5000). */
  handshakeTimeoutMs?: number;
  /** Milliseconds to wait for a reply before the connection is dropped (default 10000; FETCH adds its 2 s). */
  commandTimeoutMs?: number;
  /** Environment to resolve the URL from (default `process.env`). */
  env?: Environment;
}

/** Options after defaults and URL resolution. */
export interface ResolvedConnectionOptions {
  address: ServerAddress;
  tls: TlsOptions | undefined;
  connectTimeoutMs: number;
  handshakeTimeoutMs: number;
  commandTimeoutMs: number;
}

/** Applies defaults and resolves the server address from the URL or the environment. */
export function resolveConnectionOptions(options: ConnectionOptions = {}): ResolvedConnectionOptions {
  const address = parseServerUrl(options.url ?? resolveServerUrl(options.env));
  if (options.password !== undefined) address.password = options.password;
  if (options.username !== undefined) address.username = options.username;
  let tls: TlsOptions | undefined;
  if (options.tls === true || (options.tls === undefined && address.tls)) tls = {};
  else if (typeof options.tls === "object") tls = options.tls;
  if (tls !== undefined) address.tls = true;
  return {
    address,
    tls,
    connectTimeoutMs: options.connectTimeoutMs ?? 5000,
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? 5000,
    commandTimeoutMs: options.commandTimeoutMs ?? 10_000,
  };
}
