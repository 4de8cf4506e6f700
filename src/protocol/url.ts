import { ConfigurationError } from "./errors.js";

/** Default port of the Faktory protocol. */
export const DEFAULT_PORT = 7419;
/** Default server URL when no environment variable names one. */
export const DEFAULT_URL = "tcp://localhost:7419";

/** Where and how to reach a server, as taken from a `tcp://` or `tcp+tls://` URL. */
export interface ServerAddress {
  /** Host name or IP address. */
  host: string;
  /** TCP port (7419 by default). */
  port: number;
  /** True for `tcp+tls://`. */
  tls: boolean;
  /** Password from the URL's userinfo, if any. */
  password?: string;
  /** User name from the URL's userinfo, if any (sent as HELLO `username`). */
  username?: string;
}

/** An environment: `process.env` or a plain object for tests. */
export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * The server URL the way every Faktory client finds it: the variable named by
 * `FAKTORY_PROVIDER`, else `FAKTORY_URL`, else `tcp://localhost:7419`.
 * @throws ConfigurationError when `FAKTORY_PROVIDER` holds a URL or names a missing variable.
 */
export function resolveServerUrl(env: Environment = process.env): string {
  const provider = env["FAKTORY_PROVIDER"];
  if (provider !== undefined && provider !== "") {
    if (provider.includes(":"))
      throw new ConfigurationError(
        "Error: FAKTORY_PROVIDER is not a URL. It is the name of the ENV var that contains the URL:\n\nFAKTORY_PROVIDER=FOO_URL\nFOO_URL=tcp://:mypassword@faktory.example.com:7419",
      );
    // Own variables only: FAKTORY_PROVIDER=toString must not find Object.prototype.toString.
    const url = Object.hasOwn(env, provider) ? env[provider] : undefined;
    if (typeof url !== "string" || url === "")
      throw new ConfigurationError(`FAKTORY_PROVIDER set to invalid value: ${provider}`);
    return url;
  }
  const url = env["FAKTORY_URL"];
  return typeof url === "string" && url !== "" ? url : DEFAULT_URL;
}

/**
 * Parses a `tcp://[user][:password@]host[:port]` or `tcp+tls://...` URL.
 * @throws ConfigurationError for another scheme or a malformed URL.
 * @example
 * ```ts
 * parseServerUrl("tcp+tls://:s3cret@faktory.example.com");
 * // { host: "faktory.example.com", port: 7419, tls: true, password: "s3cret" }
 * ```
 */
export function parseServerUrl(url: string): ServerAddress {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new ConfigurationError(`invalid Faktory URL ${JSON.stringify(redactPassword(url))}`, { cause });
  }
  const scheme = parsed.protocol;
  if (scheme !== "tcp:" && scheme !== "tcp+tls:")
    throw new ConfigurationError(
      `unsupported Faktory URL scheme ${JSON.stringify(scheme)} (use tcp:// or tcp+tls://)`,
    );
  let host = parsed.hostname;
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  if (host === "")
    throw new ConfigurationError(`Faktory URL ${JSON.stringify(redactPassword(url))} has no host`);
  const port = parsed.port === "" ? DEFAULT_PORT : Number(parsed.port);
  const address: ServerAddress = { host, port, tls: scheme === "tcp+tls:" };
  if (parsed.password !== "") address.password = decodeUserinfo(parsed.password);
  if (parsed.username !== "") address.username = decodeUserinfo(parsed.username);
  return address;
}

/** Percent-decodes the user name or password; the message leaves the secret out. */
function decodeUserinfo(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch (cause) {
    throw new ConfigurationError("invalid percent-escape in the user name or password of the Faktory URL", {
      cause,
    });
  }
}

/** The URL with the password of its userinfo (if any) replaced by `***`, for error messages. */
function redactPassword(url: string): string {
  return url.replace(/^([^/]*\/\/[^/@:]*:)[^/@]*@/, "$1***@");
}
