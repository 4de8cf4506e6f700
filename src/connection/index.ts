/** One socket to a Faktory server: TCP/TLS, handshake, pipelined request/reply, timeouts, retries. */
export * from "./connection.js";
export * from "./options.js";
export * from "./retry.js";
